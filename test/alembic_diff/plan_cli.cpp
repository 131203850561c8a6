// migrate_plan_cli: one planner command over a graph read from stdin, for the
// differential test against Alembic (test/alembic_diff/PROTOCOL.md).
#include "core/current.hpp"
#include "core/error.hpp"
#include "core/history.hpp"
#include "core/planner.hpp"

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> list(const std::string &field) {
  std::vector<std::string> out;
  if (field == "-")
    return out;
  std::stringstream in(field);
  for (std::string item; std::getline(in, item, ',');)
    out.push_back(item);
  return out;
}

std::string joined(const std::vector<std::string> &items, char sep) {
  if (items.empty())
    return "-";
  std::string out;
  for (const auto &item : items)
    out += (out.empty() ? "" : std::string(1, sep)) + item;
  return out;
}

} // namespace

int main() {
  std::vector<migrate::RevisionInfo> revisions;
  std::vector<std::string> current;
  std::string command, target;
  for (std::string line; std::getline(std::cin, line);) {
    std::stringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "rev") {
      std::string id, down, deps, labels;
      fields >> id >> down >> deps >> labels;
      revisions.push_back({id, list(down), list(deps), list(labels), ""});
    } else if (kind == "current") {
      std::string rows;
      fields >> rows;
      current = list(rows);
    } else if (kind == "upgrade" || kind == "downgrade" || kind == "stamp" || kind == "history" ||
               kind == "all_current") {
      command = kind;
      std::getline(fields >> std::ws, target);
    } else if (!kind.empty()) {
      std::cerr << "unknown line: " << line << "\n";
      return 2;
    }
  }
  if (command.empty()) {
    std::cerr << "no command\n";
    return 2;
  }
  try {
    migrate::RevisionGraph graph(revisions);
    migrate::Planner planner(graph);
    migrate::VersionRows rows(graph, current);
    std::vector<std::string> steps;
    if (command == "history") {
      // `history -` is Alembic's history with no range.
      auto listed = migrate::history(graph, target == "-" ? std::nullopt : std::optional<std::string>(target), current);
      steps = graph.ids(listed);
    } else if (command == "all_current") {
      std::vector<migrate::RevisionGraph::Vertex> at;
      for (const auto &id : current) {
        auto v = graph.find(id);
        if (!v)
          throw migrate::Error(migrate::sqlstate::data_corrupted, "version row " + id + " is not a revision");
        at.push_back(*v);
      }
      steps = graph.ids(migrate::all_current(graph, graph.ancestors(at, true)));
    } else if (command == "stamp") {
      for (const auto &step : planner.stamp(current, list(target))) {
        rows.apply(step);
        steps.push_back("stamp");
      }
    } else {
      auto plan = command == "upgrade" ? planner.upgrade(current, target) : planner.downgrade(current, target);
      for (const auto &step : plan) {
        rows.apply(step);
        steps.push_back(std::string(step.upgrade ? "up:" : "down:") + graph.id(step.revision));
      }
    }
    std::cout << "ok " << joined(steps, ';') << " " << joined(rows.rows(), ',') << "\n";
  } catch (const std::exception &e) {
    std::string message = e.what();
    for (char &c : message)
      if (c == '\n')
        c = ' ';
    std::cout << "error " << message << "\n";
  }
  return 0;
}
