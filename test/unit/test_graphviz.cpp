#include "core/graphviz.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace migrate {
namespace {

using test::rev;
using test::vertex;
using Attributes = std::map<std::string, std::string>;

// Just enough of DOT to read back what to_dot writes: node statements `N[k=v, ...]`
// and edge statements `N->M [k=v, ...]`, with quoted strings (where a backslash
// escapes the next character) and plain IDs that must not be DOT keywords.
struct Dot {
  std::map<std::size_t, Attributes> nodes;
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, Attributes>> edges;
  std::vector<std::string> errors;

  const Attributes *edge(std::size_t from, std::size_t to) const {
    for (const auto &[ends, attributes] : edges)
      if (ends == std::make_pair(from, to))
        return &attributes;
    return nullptr;
  }
};

std::string trim(const std::string &s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Splits on `sep` outside quoted strings; reports an unterminated string.
std::vector<std::string> split(const std::string &text, char sep, std::vector<std::string> *errors) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\' && i + 1 < text.size()) {
      out.back() += c;
      out.back() += text[++i];
      continue;
    }
    if (c == '"')
      quoted = !quoted;
    if (c == sep && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  if (quoted)
    errors->push_back("unterminated string in: " + text);
  return out;
}

bool is_keyword(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
  return word == "node" || word == "edge" || word == "graph" || word == "digraph" || word == "subgraph" ||
         word == "strict";
}

std::string value_of(const std::string &raw, std::vector<std::string> *errors) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 2 < raw.size())
        ++i;
      else if (raw[i] == '"')
        errors->push_back("unescaped quote in " + raw);
      out += raw[i];
    }
    return out;
  }
  bool id = !raw.empty() && std::all_of(raw.begin(), raw.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
  if (!id)
    errors->push_back("invalid unquoted value " + raw);
  if (is_keyword(raw))
    errors->push_back("unquoted DOT keyword " + raw);
  return raw;
}

Attributes attributes_of(const std::string &list, std::vector<std::string> *errors) {
  Attributes out;
  for (const auto &item : split(list, ',', errors)) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      errors->push_back("attribute without value: " + item);
      continue;
    }
    out[trim(item.substr(0, eq))] = value_of(trim(item.substr(eq + 1)), errors);
  }
  return out;
}

Dot parse(const std::string &text) {
  Dot dot;
  auto open = text.find('{'), close = text.rfind('}');
  if (text.rfind("digraph G {", 0) != 0 || close == std::string::npos) {
    dot.errors.push_back("not a digraph");
    return dot;
  }
  for (auto statement : split(text.substr(open + 1, close - open - 1), ';', &dot.errors)) {
    statement = trim(statement);
    if (statement.empty() || !std::isdigit(static_cast<unsigned char>(statement.front())))
      continue; // graph attributes and defaults
    auto bracket = statement.find('[');
    std::string head = trim(statement.substr(0, bracket));
    Attributes attributes;
    if (bracket != std::string::npos) {
      if (statement.back() != ']') {
        dot.errors.push_back("unterminated attribute list: " + statement);
        continue;
      }
      attributes = attributes_of(statement.substr(bracket + 1, statement.size() - bracket - 2), &dot.errors);
    }
    if (auto arrow = head.find("->"); arrow != std::string::npos)
      dot.edges.push_back({{std::stoul(head.substr(0, arrow)), std::stoul(head.substr(arrow + 2))}, attributes});
    else
      dot.nodes[std::stoul(head)] = attributes;
  }
  return dot;
}

bool has_style(const Attributes &a, const std::string &style) {
  auto it = a.find("style");
  if (it == a.end())
    return false;
  std::string styles = "," + it->second + ",";
  return styles.find("," + style + ",") != std::string::npos;
}

// a (labelled core) <- b ; a <- c ; m <- (b, c) ; x depends on b.
RevisionGraph sample() {
  return RevisionGraph({rev("a", {}, {"core"}, {}, "first"), rev("b", {"a"}, {}, {}, "second"), rev("c", {"a"}),
                        rev("m", {"b", "c"}, {}, {}, "merge"), rev("x", {}, {}, {"b"})});
}

TEST(Graphviz, EveryRevisionIsANodeLabelledWithItsId) {
  auto g = sample();
  auto text = to_dot(g, g.empty_set());
  auto dot = parse(text);
  EXPECT_TRUE(dot.errors.empty()) << ::testing::PrintToString(dot.errors) << "\n" << text;
  ASSERT_EQ(dot.nodes.size(), g.size()) << text;
  for (RevisionGraph::Vertex v = 0; v < g.size(); ++v) {
    EXPECT_EQ(dot.nodes[v]["label"].rfind(g.id(v), 0), 0u) << g.id(v) << " label " << dot.nodes[v]["label"];
    EXPECT_NE(text.find(g.id(v)), std::string::npos) << g.id(v);
  }
  EXPECT_EQ(dot.nodes[vertex(g, "a")]["label"], "a (core)\nfirst");
  EXPECT_EQ(dot.nodes[vertex(g, "c")]["label"], "c");
  EXPECT_NE(text.find("rankdir=BT"), std::string::npos);
}

TEST(Graphviz, EdgesFollowDownRevisionsAndDependencies) {
  auto g = sample();
  auto dot = parse(to_dot(g, g.empty_set()));
  auto a = vertex(g, "a"), b = vertex(g, "b"), c = vertex(g, "c"), m = vertex(g, "m"), x = vertex(g, "x");
  EXPECT_EQ(dot.edges.size(), 5u);
  for (auto [from, to] : {std::pair{a, b}, {a, c}, {b, m}, {c, m}}) {
    const Attributes *e = dot.edge(from, to);
    ASSERT_TRUE(e) << g.id(from) << "->" << g.id(to);
    EXPECT_FALSE(has_style(*e, "dashed")) << g.id(from) << "->" << g.id(to);
  }
  const Attributes *dependency = dot.edge(b, x);
  ASSERT_TRUE(dependency);
  EXPECT_TRUE(has_style(*dependency, "dashed"));
  EXPECT_EQ(dependency->at("label"), "depends_on");
  EXPECT_FALSE(dot.edge(m, b)) << "edges point from parent to child";
}

TEST(Graphviz, HeadsHaveADoubleBorder) {
  auto g = sample();
  auto dot = parse(to_dot(g, g.empty_set()));
  for (RevisionGraph::Vertex v = 0; v < g.size(); ++v) {
    bool head = g.id(v) == "m" || g.id(v) == "x";
    EXPECT_EQ(dot.nodes[v].count("peripheries") == 1, head) << g.id(v);
    if (head) {
      EXPECT_EQ(dot.nodes[v]["peripheries"], "2");
      EXPECT_TRUE(has_style(dot.nodes[v], "bold"));
    }
  }
}

TEST(Graphviz, AppliedRevisionsAreFilled) {
  auto g = sample();
  auto applied = g.empty_set();
  applied.set(vertex(g, "a"));
  applied.set(vertex(g, "b"));
  applied.set(vertex(g, "m")); // a head: both bold and filled
  auto dot = parse(to_dot(g, applied));
  EXPECT_TRUE(dot.errors.empty()) << ::testing::PrintToString(dot.errors);
  for (RevisionGraph::Vertex v = 0; v < g.size(); ++v) {
    EXPECT_EQ(has_style(dot.nodes[v], "filled"), applied.test(v)) << g.id(v);
    EXPECT_EQ(dot.nodes[v].count("fillcolor") == 1, applied.test(v)) << g.id(v);
  }
  EXPECT_TRUE(has_style(dot.nodes[vertex(g, "m")], "bold"));

  auto none = parse(to_dot(g, g.empty_set()));
  for (RevisionGraph::Vertex v = 0; v < g.size(); ++v)
    EXPECT_FALSE(has_style(none.nodes[v], "filled")) << g.id(v);
}

TEST(Graphviz, BranchAndMergePointsAreDiamonds) {
  auto g = sample();
  auto dot = parse(to_dot(g, g.empty_set()));
  EXPECT_EQ(dot.nodes[vertex(g, "a")]["shape"], "diamond"); // branch point
  EXPECT_EQ(dot.nodes[vertex(g, "m")]["shape"], "diamond"); // merge point
  EXPECT_EQ(dot.nodes[vertex(g, "b")].count("shape"), 0u);
  EXPECT_EQ(dot.nodes[vertex(g, "x")].count("shape"), 0u);
}

TEST(Graphviz, QuotesInMessagesAreEscaped) {
  RevisionGraph g({rev("a", {}, {}, {}, "say \"hi\"")});
  auto dot = parse(to_dot(g, g.empty_set()));
  EXPECT_TRUE(dot.errors.empty()) << ::testing::PrintToString(dot.errors);
  EXPECT_EQ(dot.nodes[0]["label"], "a\nsay \"hi\"");
}

TEST(Graphviz, BackslashesInMessagesAreEscaped) {
  // A trailing backslash must not swallow the closing quote.
  RevisionGraph g({rev("a", {}, {}, {}, "path C:\\temp\\"), rev("b", {"a"}, {}, {}, "\\N is not the node name")});
  auto text = to_dot(g, g.empty_set());
  auto dot = parse(text);
  EXPECT_TRUE(dot.errors.empty()) << ::testing::PrintToString(dot.errors) << "\n" << text;
  EXPECT_EQ(dot.nodes[0]["label"], "a\npath C:\\temp\\");
  EXPECT_EQ(dot.nodes[1]["label"], "b\n\\N is not the node name");
  EXPECT_EQ(dot.nodes.size(), 2u);
}

TEST(Graphviz, RevisionsNamedLikeDotKeywords) {
  RevisionGraph g({rev("node"), rev("graph", {"node"}), rev("Edge", {"graph"}), rev("strict", {"Edge"})});
  auto text = to_dot(g, g.empty_set());
  auto dot = parse(text);
  EXPECT_TRUE(dot.errors.empty()) << ::testing::PrintToString(dot.errors) << "\n" << text;
  EXPECT_EQ(dot.nodes[0]["label"], "node");
  EXPECT_EQ(dot.nodes[3]["label"], "strict");
}

TEST(Graphviz, SeveralBranchLabels) {
  RevisionGraph g({rev("a", {}, {"x", "y"})});
  auto dot = parse(to_dot(g, g.empty_set()));
  EXPECT_EQ(dot.nodes[0]["label"], "a (x, y)");
}

TEST(Graphviz, EmptyGraph) {
  RevisionGraph g({});
  auto text = to_dot(g, g.empty_set());
  auto dot = parse(text);
  EXPECT_TRUE(dot.errors.empty());
  EXPECT_TRUE(dot.nodes.empty());
  EXPECT_TRUE(dot.edges.empty());
}

} // namespace
} // namespace migrate

namespace migrate {
namespace {

TEST(Graphviz, ADependencyThatIsAlsoAParentIsDrawnOnce) {
  RevisionGraph g({test::rev("a"), test::rev("b", {"a"}, {}, {"a"})});
  auto dot = parse(to_dot(g, g.empty_set()));
  ASSERT_EQ(dot.edges.size(), 1u);
  EXPECT_FALSE(has_style(dot.edges.front().second, "dashed"));
}

} // namespace
} // namespace migrate
