#include "core/revision_directory.hpp"

#include "core/error.hpp"
#include "core/registration.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

namespace migrate {

RevisionFileErrors::RevisionFileErrors(std::vector<RevisionFileError> errors)
    : std::runtime_error(
          errors.empty()
              ? std::string("revision files refused")
              : std::string(errors.front().what()) +
                    (errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : std::string())),
      errors_(std::move(errors)) {}

namespace {

// children[v]: the revisions that name v as a parent or (by id or label) a dependency.
std::vector<std::vector<std::size_t>> children_of(const std::vector<RevisionInfo> &revisions) {
  std::unordered_map<std::string, std::size_t> by_id, by_label;
  for (std::size_t v = 0; v < revisions.size(); ++v) {
    by_id.emplace(revisions[v].id, v);
    for (const auto &label : revisions[v].branch_labels)
      by_label.emplace(label, v);
  }
  std::vector<std::vector<std::size_t>> children(revisions.size());
  for (std::size_t v = 0; v < revisions.size(); ++v) {
    for (const auto &parent : revisions[v].down_revisions)
      if (auto it = by_id.find(parent); it != by_id.end())
        children[it->second].push_back(v);
    for (const auto &dep : revisions[v].depends_on) {
      if (auto it = by_id.find(dep); it != by_id.end())
        children[it->second].push_back(v);
      else if (auto owner = by_label.find(dep); owner != by_label.end())
        children[owner->second].push_back(v);
    }
  }
  return children;
}

RevisionFileError at(const RevisionFile &file, std::size_t line, const std::string &message,
                     const std::string &detail = {}, const std::string &hint = {}) {
  return RevisionFileError(file.path, line, message, detail, hint);
}

RevisionFileError at(const RevisionFile &file, std::size_t line, const Error &e, const std::string &hint) {
  return RevisionFileError(file.path, line, e.what(), e.detail(), hint.empty() ? e.hint() : hint);
}

std::string where(const RevisionFile &file, std::size_t line) {
  return file.path + ":" + std::to_string(line);
}

// Revisions in the order Kahn's algorithm could not reach, with those that
// merely build on a cycle peeled off: what is left lies on a cycle (or
// between two). The first of them by path, to point at.
std::size_t on_a_cycle(const std::vector<RevisionInfo> &revisions, const std::vector<std::size_t> &ordered) {
  std::vector<bool> left(revisions.size(), true);
  for (auto v : ordered)
    left[v] = false;
  auto children = children_of(revisions);
  bool peeled = true;
  while (peeled) {
    peeled = false;
    for (std::size_t v = 0; v < revisions.size(); ++v) {
      if (!left[v])
        continue;
      bool leads_on = std::any_of(children[v].begin(), children[v].end(), [&](std::size_t c) { return left[c]; });
      if (!leads_on) {
        left[v] = false;
        peeled = true;
      }
    }
  }
  for (std::size_t v = 0; v < revisions.size(); ++v)
    if (left[v])
      return v;
  return revisions.size();
}

} // namespace

std::vector<std::size_t> registration_order(const std::vector<RevisionInfo> &revisions) {
  auto children = children_of(revisions);
  std::vector<std::size_t> waiting(revisions.size(), 0);
  for (const auto &list : children)
    for (auto c : list)
      ++waiting[c];
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t v = 0; v < revisions.size(); ++v)
    if (waiting[v] == 0)
      ready.push(v);
  std::vector<std::size_t> order;
  order.reserve(revisions.size());
  while (!ready.empty()) {
    std::size_t v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto c : children[v])
      if (--waiting[c] == 0)
        ready.push(c);
  }
  return order;
}

RevisionDirectory::RevisionDirectory(std::vector<SourceFile> sources, const RevisionFileOptions &options) {
  std::sort(sources.begin(), sources.end(), [](const SourceFile &a, const SourceFile &b) { return a.path < b.path; });
  std::vector<RevisionFileError> errors;
  std::vector<RevisionFile> parsed;
  parsed.reserve(sources.size());
  for (const auto &s : sources) {
    try {
      parsed.push_back(parse_revision_file(s.path, s.text, options));
    } catch (const RevisionFileError &e) {
      errors.push_back(e);
    }
  }
  if (!errors.empty())
    throw RevisionFileErrors(std::move(errors));

  std::unordered_map<std::string, std::size_t> by_id, by_label;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto &f = parsed[i];
    auto [it, inserted] = by_id.emplace(f.content.graph.id, i);
    if (!inserted)
      errors.push_back(at(f, f.lines.revision, "revision " + f.content.graph.id + " is defined twice",
                          "It is also defined at " + where(parsed[it->second], parsed[it->second].lines.revision) + ".",
                          "Every file needs an id of its own: give this one a new \"-- revision:\"."));
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto &f = parsed[i];
    for (const auto &label : f.content.graph.branch_labels) {
      if (by_id.count(label)) {
        errors.push_back(at(f, f.lines.branch_labels, label_is_revision(label, f.content.graph.id), {}));
        continue;
      }
      auto [it, inserted] = by_label.emplace(label, i);
      if (!inserted)
        errors.push_back(
            at(f, f.lines.branch_labels, label_taken(label, f.content.graph.id, parsed[it->second].content.graph.id),
               "The label is declared at " + where(parsed[it->second], parsed[it->second].lines.branch_labels) + "."));
    }
  }
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> backfills; // name -> file, index
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const auto &f = parsed[i];
    for (const auto &parent : f.content.graph.down_revisions)
      if (!by_id.count(parent))
        errors.push_back(at(f, f.lines.revises, unknown_parent(f.content.graph.id, parent),
                            "No file in the directory has \"-- revision: " + parent + "\"."));
    for (const auto &dep : f.content.graph.depends_on)
      if (!by_id.count(dep) && !by_label.count(dep))
        errors.push_back(at(f, f.lines.depends_on, unknown_dependency(f.content.graph.id, dep),
                            "No file in the directory has \"-- revision: " + dep + "\" or that branch label."));
    for (std::size_t k = 0; k < f.backfills.size(); ++k) {
      auto [it, inserted] = backfills.emplace(f.backfills[k].name, std::make_pair(i, k));
      if (!inserted) {
        const auto &other = parsed[it->second.first];
        errors.push_back(at(f, f.lines.backfills[k], "backfill " + f.backfills[k].name + " is defined twice",
                            "It is also defined at " + where(other, other.lines.backfills[it->second.second]) + ".",
                            "Backfill names are unique across revisions."));
      }
    }
  }
  for (const auto &f : parsed)
    for (const auto &name : f.content.requires_backfills)
      if (!backfills.count(name))
        errors.push_back(
            at(f, f.lines.requires_backfills,
               "revision " + f.content.graph.id + " requires backfill " + name + ", which no file defines", {},
               "Add a \"-- migrate:backfill " + name + "\" section to the revision that adds what it fills."));
  if (!errors.empty())
    throw RevisionFileErrors(std::move(errors));

  std::vector<RevisionInfo> infos;
  infos.reserve(parsed.size());
  for (const auto &f : parsed)
    infos.push_back(f.content.graph);
  auto order = registration_order(infos);
  if (order.size() < parsed.size()) {
    std::size_t v = on_a_cycle(infos, order);
    const auto &f = parsed[std::min(v, parsed.size() - 1)];
    std::size_t line = f.content.graph.down_revisions.empty() ? f.lines.depends_on : f.lines.revises;
    try {
      RevisionGraph check(infos);
    } catch (const Error &e) {
      throw RevisionFileErrors({at(f, line, e, {})});
    }
    throw RevisionFileErrors({at(f, line, "revision " + f.content.graph.id + " is on a cycle")});
  }
  files_.reserve(parsed.size());
  std::vector<RevisionInfo> ordered;
  ordered.reserve(parsed.size());
  for (auto v : order) {
    ordered.push_back(infos[v]);
    files_.push_back(std::move(parsed[v]));
  }
  try {
    graph_ = std::make_unique<RevisionGraph>(std::move(ordered));
  } catch (const Error &e) {
    // Everything the graph checks was checked above; keep its word all the same.
    throw RevisionFileErrors(
        {RevisionFileError(files_.front().path, files_.front().lines.revision, e.what(), e.detail(), e.hint())});
  }
}

const RevisionFile *RevisionDirectory::find(const std::string &id) const {
  auto v = graph_->find(id);
  return v ? &files_[*v] : nullptr;
}

std::vector<std::string> RevisionDirectory::ids() const {
  std::vector<std::string> out;
  out.reserve(files_.size());
  for (const auto &f : files_)
    out.push_back(f.content.graph.id);
  return out;
}

} // namespace migrate
