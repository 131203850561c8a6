#include "core/targets.hpp"
#include "core/target_syntax.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace migrate {

namespace {

using Vertex = RevisionGraph::Vertex;

// |steps|, also for LONG_MIN (where labs is undefined).
unsigned long magnitude(long steps) {
  return steps < 0 ? 0UL - static_cast<unsigned long>(steps) : static_cast<unsigned long>(steps);
}

Error revision_error(const std::string &message) {
  return Error(sqlstate::invalid_parameter_value, message);
}

Error no_migrations(const std::string &relative, long steps) {
  return revision_error("Relative revision " + excerpt(relative) + " didn't produce " +
                        std::to_string(magnitude(steps)) + " migrations");
}

std::vector<std::string> as_tuple(const Spec &spec) {
  if (const auto *s = std::get_if<std::string>(&spec))
    return {*s};
  return std::get<std::vector<std::string>>(spec);
}

} // namespace

std::string describe(const Spec &spec) {
  if (const auto *s = std::get_if<std::string>(&spec))
    return *s;
  const auto &ids = std::get<std::vector<std::string>>(spec);
  return ids.empty() ? "base" : join(ids, ",");
}

std::string multiple_heads_message(const std::string &argument) {
  const std::string shown = excerpt(argument);
  return "Multiple head revisions are present for given argument '" + shown +
         "'; please specify a specific target revision, '<branchname>@" + shown +
         "' to narrow to a specific head, or 'heads' for all heads";
}

MultipleHeads::MultipleHeads(std::vector<std::string> h, std::string arg)
    : Error(sqlstate::cardinality_violation, multiple_heads_message(arg), "The heads are " + join(h, ", ") + ".",
            "Use 'heads' for every head, or 'label@head' or a revision id for one of them."),
      heads(std::move(h)), argument(std::move(arg)) {}

ResolutionFailure::ResolutionFailure(const std::string &internal_message, std::string arg)
    : Error(sqlstate::undefined_object, "Can't locate revision identified by '" + excerpt(arg) + "'", internal_message),
      argument(std::move(arg)) {}

RangeNotAncestor::RangeNotAncestor(std::string lo, std::string up)
    : Error(sqlstate::invalid_parameter_value,
            "Requested range " + excerpt(lo) + ":" + excerpt(up) +
                " does not refer to ancestor/descendant revisions along the same branch",
            "Revision " + excerpt(lo) + " is not an ancestor of revision " + excerpt(up) + "."),
      lower(std::move(lo)), upper(std::move(up)) {}

TargetResolver::Resolved TargetResolver::resolve_number(const std::string &spec) const {
  Resolved r;
  std::string id = spec;
  if (auto at = spec.find('@'); at != std::string::npos) {
    if (at > 0) // Alembic takes an empty branch (`@head`) as no branch
      r.branch = spec.substr(0, at);
    id = spec.substr(at + 1);
  }
  if (id == "heads") {
    r.ids = g_.ids(r.branch ? filter_for_lineage(g_.heads(), *r.branch) : g_.real_heads());
  } else if (id == "head") {
    if (auto h = current_head(r.branch))
      r.ids = {g_.id(*h)};
  } else if (id != "base") {
    r.ids = {id};
  }
  return r;
}

std::optional<Vertex> TargetResolver::current_head(const std::optional<std::string> &branch) const {
  auto heads = g_.heads();
  if (branch)
    heads = filter_for_lineage(heads, *branch);
  if (heads.size() > 1)
    throw MultipleHeads(g_.ids(heads), branch ? *branch + "@head" : "head");
  if (heads.empty())
    return std::nullopt;
  return heads.front();
}

std::vector<Node> TargetResolver::revisions_of(const std::vector<Vertex> &vs) const {
  std::vector<Node> out;
  for (Vertex v : vs)
    out.push_back(Node::at(v));
  return out;
}

std::vector<Node> TargetResolver::revisions(const Spec &spec) const {
  if (const auto *ids = std::get_if<std::vector<std::string>>(&spec)) {
    std::vector<Node> out;
    for (const auto &id : *ids) {
      auto part = revisions(Spec{id});
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  check_target_text("target", std::get<std::string>(spec));
  Resolved r = resolve_number(std::get<std::string>(spec));
  if (r.ids.size() == 1) {
    // Alembic's int(id): a negative number walks down.
    if (auto n = python_int(r.ids.front()); n && n->negative) {
      if (n->out_of_range)
        throw step_out_of_range(std::get<std::string>(spec));
      // branch@-n walks down from the heads (of that branch).
      std::vector<Node> out;
      for (const Node &head : revisions(Spec{std::string("heads")})) {
        if (r.branch && !g_.labels(head.vertex).count(*r.branch))
          continue;
        out.push_back(walk(head, n->value, std::nullopt, true));
      }
      return out;
    }
  }
  std::vector<Node> out;
  for (const auto &id : r.ids) {
    auto v = for_ident(id, r.branch);
    out.push_back(v ? Node::at(*v) : Node::none());
  }
  return out;
}

std::optional<Vertex> TargetResolver::revision(const std::string &spec) const {
  Resolved r = resolve_number(spec);
  if (r.ids.size() > 1)
    throw MultipleHeads(r.ids, spec);
  if (r.ids.empty()) {
    if (r.branch)
      resolve_branch(*r.branch);
    return std::nullopt;
  }
  return for_ident(r.ids.front(), r.branch);
}

Vertex TargetResolver::resolve_branch(const std::string &label) const {
  if (auto owner = g_.label_owner(label))
    return *owner;
  if (auto exact = g_.find(label))
    return *exact;
  try {
    return *for_ident(label, std::nullopt);
  } catch (const ResolutionFailure &) {
    throw ResolutionFailure("No such branch: '" + excerpt(label) + "'", label);
  }
}

std::optional<Vertex> TargetResolver::for_ident(const std::string &id, const std::optional<std::string> &branch) const {
  std::optional<Vertex> branch_rev;
  if (branch)
    branch_rev = resolve_branch(*branch);
  std::vector<std::string> keys;
  // An empty id would be a prefix of every key: it names nothing.
  auto found = id.empty() ? std::vector<Vertex>{} : g_.lookup(id, &keys);
  Vertex rev;
  if (!keys.empty() && keys.front() == id) {
    rev = found.front();
  } else {
    if (branch_rev) {
      std::vector<std::string> kept_keys;
      std::vector<Vertex> kept;
      for (std::size_t i = 0; i < found.size(); ++i)
        if (!filter_for_lineage({found[i]}, *branch).empty()) {
          kept.push_back(found[i]);
          kept_keys.push_back(keys[i]);
        }
      found = kept;
      keys = kept_keys;
    }
    if (found.empty())
      throw ResolutionFailure("No such revision or branch '" + excerpt(id) + "'" +
                                  (id.size() < 4 ? "; please ensure at least four characters are present for "
                                                   "partial revision identifier matches"
                                                 : ""),
                              id);
    if (found.size() > 1) {
      std::vector<std::string> shown;
      for (std::size_t i = 0; i < keys.size() && i < 3; ++i)
        shown.push_back("'" + keys[i] + "'");
      ResolutionFailure e("Multiple revisions start with '" + excerpt(id) + "': " + join(shown, ", ") + "...", id);
      throw Error(sqlstate::cardinality_violation, e.what(), e.detail(), "Give more characters of the revision id.");
    }
    rev = found.front();
  }
  if (branch_rev && !shares_lineage(rev, {*branch_rev}, false))
    throw ResolutionFailure("Revision " + g_.id(rev) + " is not a member of branch '" + excerpt(*branch) + "'", id);
  return rev;
}

std::vector<Vertex> TargetResolver::filter_for_lineage(const std::vector<Vertex> &targets,
                                                       const std::string &check_against,
                                                       bool include_dependencies) const {
  // Alembic resolves what to check against per target: with no targets,
  // nothing is resolved and nothing can fail.
  if (targets.empty())
    return {};
  Resolved r = resolve_number(check_against);
  std::vector<Vertex> against;
  if (r.branch)
    against.push_back(*for_ident(*r.branch, std::nullopt));
  for (const auto &id : r.ids)
    against.push_back(*for_ident(id, std::nullopt));
  std::vector<Vertex> out;
  for (Vertex t : targets)
    if (shares_lineage(t, against, include_dependencies))
      out.push_back(t);
  return out;
}

bool TargetResolver::shares_lineage(Vertex target, const std::vector<Vertex> &against,
                                    bool include_dependencies) const {
  if (against.empty())
    return true;
  VertexSet related = g_.ancestors({target}, include_dependencies) | g_.descendants({target}, include_dependencies);
  return std::any_of(against.begin(), against.end(), [&](Vertex v) { return related.test(v); });
}

Node TargetResolver::walk(Node start, long steps, const std::optional<std::string> &branch, bool no_overwalk) const {
  Node at = start;
  for (unsigned long i = 0; i < magnitude(steps); ++i) {
    std::vector<Node> next;
    if (steps > 0) {
      std::vector<Vertex> up = at.is_revision() ? g_.children(at.vertex) : g_.bases();
      if (branch)
        up = filter_for_lineage(up, *branch);
      next = revisions_of(up);
    } else if (at.kind != Node::base) {
      next = revisions_of(at.is_revision() ? g_.down_revisions(at.vertex) : g_.heads());
      if (next.empty())
        next.push_back(Node::at_base());
    }
    if (next.empty())
      return no_overwalk ? Node::none() : at;
    if (next.size() > 1)
      throw revision_error("Ambiguous walk");
    at = next.front();
  }
  return at;
}

std::pair<std::optional<std::string>, Node>
TargetResolver::parse_downgrade_target(const Spec &current, const std::optional<std::string> &target,
                                       bool assert_relative_length) const {
  if (!target)
    return {std::nullopt, Node::none()};
  if (auto rel = match_relative(*target)) {
    if (rel->steps >= 0) {
      if (!rel->symbol)
        throw no_migrations(rel->relative, rel->steps);
      auto start = revision(*rel->symbol);
      Node n = walk(start ? Node::at(*start) : Node::none(), rel->steps, rel->branch, assert_relative_length);
      if (n.kind == Node::nowhere)
        throw revision_error("Walked too far");
      return {rel->branch, n};
    }
    bool relative_to_current = !rel->symbol;
    auto branch = rel->branch;
    std::string symbol;
    if (relative_to_current) {
      auto cur = as_tuple(current);
      if (branch) {
        std::vector<Vertex> cur_revs;
        for (const Node &n : revisions(Spec{cur}))
          if (n.is_revision())
            cur_revs.push_back(n.vertex);
        auto on_branch = filter_for_lineage(cur_revs, *branch);
        if (on_branch.empty()) {
          // One current head may stand for several branches that depend on it.
          VertexSet all = g_.ancestors(cur_revs, true);
          std::vector<Vertex> tips;
          for (Vertex v : g_.members(all)) {
            VertexSet below = g_.descendants({v}, false) & all;
            below.reset(v);
            if (below.none())
              tips.push_back(v);
          }
          on_branch = filter_for_lineage(tips, *branch);
        }
        if (on_branch.size() != 1)
          throw revision_error("Relative revision " + excerpt(rel->relative) + " is ambiguous for branch '" +
                               excerpt(*branch) + "'");
        symbol = g_.id(on_branch.front());
      } else {
        if (cur.empty())
          throw no_migrations(rel->relative, rel->steps);
        symbol = cur.front();
        branch = symbol;
      }
    } else {
      symbol = *rel->symbol;
    }
    auto start = revision(branch ? *branch + "@" + symbol : symbol);
    Node n = walk(start ? Node::at(*start) : Node::none(), rel->steps, std::nullopt, assert_relative_length);
    if (n.kind == Node::nowhere) {
      if (relative_to_current)
        throw no_migrations(rel->relative, rel->steps);
      throw revision_error("Walked too far");
    }
    return {branch, n};
  }
  std::optional<std::string> branch;
  std::string symbol = *target;
  if (auto at = target->rfind('@'); at != std::string::npos) {
    if (at > 0)
      branch = target->substr(0, at);
    symbol = target->substr(at + 1);
  }
  auto v = revision(symbol);
  return {branch, v ? Node::at(*v) : Node::none()};
}

std::vector<Node> TargetResolver::parse_upgrade_target(const Spec &current, const Spec &target,
                                                       bool assert_relative_length) const {
  const auto *text = std::get_if<std::string>(&target);
  std::optional<RelativeTarget> rel;
  if (text)
    rel = match_relative(*text);
  if (!rel)
    return revisions(target);
  auto cur = as_tuple(current);
  if (rel->steps > 0) {
    if (rel->symbol) {
      auto start = revision(*rel->symbol);
      return {walk(start ? Node::at(*start) : Node::none(), rel->steps, rel->branch, assert_relative_length)};
    }
    std::vector<Node> starts;
    if (cur.empty()) {
      starts.push_back(Node::none());
    } else if (!rel->branch) {
      for (const auto &id : cur) {
        auto v = revision(id);
        starts.push_back(v ? Node::at(*v) : Node::none());
      }
    } else {
      std::vector<Vertex> cur_revs;
      for (const Node &n : revisions(Spec{cur}))
        if (n.is_revision())
          cur_revs.push_back(n.vertex);
      auto on_branch = filter_for_lineage(cur_revs, *rel->branch);
      if (on_branch.empty()) {
        // The branch is not at a current head: start from its tips among what is applied.
        auto active = filter_for_lineage(g_.members(g_.ancestors(cur_revs, true)), *rel->branch);
        VertexSet covered = g_.empty_set();
        for (Vertex v : active) {
          for (Vertex d : g_.down_revisions(v))
            covered.set(d);
          for (Vertex d : g_.normalized_dependencies(v))
            covered.set(d);
        }
        for (Vertex v : active)
          if (!covered.test(v))
            on_branch.push_back(v);
      }
      for (Vertex v : on_branch)
        starts.push_back(Node::at(v));
      if (starts.empty())
        starts.push_back(Node::none());
    }
    if (starts.size() > 1)
      throw revision_error("Ambiguous upgrade from multiple current revisions");
    Node n = walk(starts.front(), rel->steps, rel->branch, assert_relative_length);
    if (n.kind == Node::nowhere)
      throw no_migrations(rel->relative, rel->steps);
    return {n};
  }
  if (!rel->symbol)
    throw no_migrations(std::to_string(rel->steps), rel->steps);
  auto start = revision(rel->branch ? *rel->branch + "@" + *rel->symbol : *rel->symbol);
  return {walk(start ? Node::at(*start) : Node::none(), rel->steps, std::nullopt, assert_relative_length)};
}

namespace {

// Alembic names every other requested revision that `target` reaches.
void check_overlaps(const RevisionGraph &g, Vertex target, const VertexSet &reached,
                    const std::vector<Vertex> &targets) {
  std::vector<std::string> overlaps;
  for (Vertex other : targets)
    if (other != target && reached.test(other))
      overlaps.push_back(g.id(other));
  if (!overlaps.empty())
    throw revision_error("Requested revision " + g.id(target) + " overlaps with other requested revisions " +
                         join(overlaps, ", "));
}

} // namespace

// One walk for the union, and one from the targets' parents (or children)
// to find whether a target lies beyond another; only then is each target
// walked alone, to name the overlap as Alembic does. Walking each target
// alone every time made a command over 10,000 heads quadratic.
VertexSet TargetResolver::ancestors_checked(const std::vector<Vertex> &targets) const {
  if (targets.size() > 1) {
    std::vector<Vertex> parents;
    for (Vertex t : targets)
      g_.for_each_parent(t, true, [&](Vertex p) { parents.push_back(p); });
    VertexSet below = g_.ancestors(parents, true);
    if (std::any_of(targets.begin(), targets.end(), [&](Vertex t) { return below.test(t); }))
      for (Vertex t : targets)
        check_overlaps(g_, t, g_.ancestors({t}, true), targets);
  }
  return g_.ancestors(targets, true);
}

VertexSet TargetResolver::descendants_checked(const std::vector<Vertex> &targets) const {
  if (targets.size() > 1) {
    std::vector<Vertex> children;
    for (Vertex t : targets)
      g_.for_each_child(t, false, [&](Vertex c) { children.push_back(c); });
    VertexSet above = g_.descendants(children, false);
    if (std::any_of(targets.begin(), targets.end(), [&](Vertex t) { return above.test(t); }))
      for (Vertex t : targets)
        check_overlaps(g_, t, g_.descendants({t}, false), targets);
  }
  return g_.descendants(targets, false);
}

UpgradeSet TargetResolver::upgrade_set(const Spec &upper, const Spec &lower_in, bool inclusive, bool implicit_base,
                                       bool assert_relative_length) const {
  UpgradeSet out;
  for (const Node &n : parse_upgrade_target(lower_in, upper, assert_relative_length)) {
    if (!n.is_revision())
      throw revision_error("Target " + excerpt(describe(upper)) + " does not resolve to a revision");
    out.targets.push_back(n.vertex);
  }
  Spec lower = lower_in;
  const auto *lower_text = std::get_if<std::string>(&lower);
  if (lower_text && lower_text->find('@') != std::string::npos) {
    // branch@... as the lower bound keeps only the targets on that branch.
    std::string branch = lower_text->substr(0, lower_text->find('@'));
    auto branch_rev = revision(branch);
    if (branch_rev && g_.id(*branch_rev) == branch) {
      // A revision names the branch it is on: its labels in force, declared or inherited.
      const auto &labels = g_.labels(*branch_rev);
      if (labels.size() != 1)
        throw revision_error("Revision " + excerpt(branch) + " does not name exactly one branch");
      branch = *labels.begin();
    }
    out.targets.erase(
        std::remove_if(out.targets.begin(), out.targets.end(), [&](Vertex t) { return !g_.labels(t).count(branch); }),
        out.targets.end());
  }
  VertexSet required = ancestors_checked(out.targets);
  std::vector<Node> current = revisions(lower);
  if (!implicit_base)
    for (const Node &n : current)
      if (n.kind == Node::base || (n.is_revision() && !required.test(n.vertex)))
        throw RangeNotAncestor(describe(lower), describe(upper));
  std::vector<Vertex> current_revs;
  if (!current.empty() && current.front().kind == Node::nowhere) {
    // A relative lower bound names a revision below upper.
    auto [branch, n] = parse_downgrade_target(upper, std::get<std::string>(lower), assert_relative_length);
    (void)branch;
    if (n.kind == Node::nowhere)
      throw revision_error("Relative revision " + excerpt(describe(lower)) + " does not resolve to a revision");
    if (n.kind == Node::base) {
      lower = std::vector<std::string>{};
    } else {
      current_revs.push_back(n.vertex);
      lower = g_.id(n.vertex);
    }
  } else {
    for (const Node &n : current) {
      // `-N` walked from several heads, one of them too short: Alembic
      // looks at the first walk only and trips over this one (an assertion).
      if (n.kind == Node::nowhere)
        throw revision_error("Relative revision " + describe(lower) +
                             " does not resolve to a revision from every head");
      if (n.is_revision())
        current_revs.push_back(n.vertex);
    }
  }
  out.needed = required - ancestors_checked(current_revs);
  if (inclusive)
    for (const Node &n : revisions(lower))
      if (n.is_revision())
        out.needed.set(n.vertex);
  if (!current_revs.empty() && !implicit_base)
    out.needed &= descendants_checked(current_revs);
  return out;
}

} // namespace migrate
