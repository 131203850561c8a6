// Alembic's target grammar over a RevisionGraph: head, heads, base, ids and
// unique prefixes, label@head, label@rev, +N, -N, rev+N, label@+N, and the
// upgrade ranges built from them. Alembic 1.8 is the reference for every rule
// and message here.
#pragma once

#include "core/error.hpp"
#include "core/revision_graph.hpp"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace migrate {

// Where a walk through the graph can stop: on a revision, at the base below
// every revision, or past the end (nowhere).
struct Position {
  enum Kind { revision, base, nowhere } kind = nowhere;
  RevisionGraph::Vertex vertex = 0;

  static Position at(RevisionGraph::Vertex v) { return {revision, v}; }
  static Position at_base() { return {base, 0}; }
  static Position none() { return {nowhere, 0}; }
  bool is_revision() const { return kind == revision; }
};

// A target as Alembic receives it: one string typed by a user, or the list of
// revision ids a database is at.
using Spec = std::variant<std::string, std::vector<std::string>>;

struct UpgradeSet {
  VertexSet needed;                           // revisions between lower and upper
  std::vector<RevisionGraph::Vertex> targets; // what upper resolved to
};

class TargetResolver {
public:
  explicit TargetResolver(const RevisionGraph &graph) : g_(graph) {}

  // Every revision a spec names (`heads` is several, `base` is none).
  std::vector<Position> revisions(const Spec &spec) const;
  // The single revision a spec names; nullopt for `base`.
  std::optional<RevisionGraph::Vertex> revision(const std::string &spec) const;
  // `head` or `label@head`: the one head, refusing several.
  std::optional<RevisionGraph::Vertex> current_head(const std::optional<std::string> &branch) const;

  // The revisions `iterate_revisions(upper, lower)` visits when upgrading.
  UpgradeSet upgrade_set(const Spec &upper, const Spec &lower, bool inclusive, bool implicit_base,
                         bool assert_relative_length) const;
  std::vector<Position> parse_upgrade_target(const Spec &current, const Spec &target,
                                             bool assert_relative_length) const;
  std::pair<std::optional<std::string>, Position> parse_downgrade_target(const Spec &current,
                                                                         const std::optional<std::string> &target,
                                                                         bool assert_relative_length) const;

  // Walk `steps` up (positive) or down (negative) from `start`.
  Position walk(Position start, long steps, const std::optional<std::string> &branch, bool no_overwalk) const;

  std::vector<RevisionGraph::Vertex> filter_for_lineage(const std::vector<RevisionGraph::Vertex> &targets,
                                                        const std::string &check_against,
                                                        bool include_dependencies = false) const;
  // The revision a branch name stands for: the one declaring the label, or a
  // revision named directly.
  RevisionGraph::Vertex resolve_branch(const std::string &label) const;

private:
  struct Resolved {
    std::vector<std::string> ids;
    std::optional<std::string> branch;
  };
  Resolved resolve_number(const std::string &spec) const;
  std::optional<RevisionGraph::Vertex> for_ident(const std::string &id, const std::optional<std::string> &branch) const;
  bool shares_lineage(RevisionGraph::Vertex target, const std::vector<RevisionGraph::Vertex> &against,
                      bool include_dependencies) const;
  VertexSet ancestors_checked(const std::vector<RevisionGraph::Vertex> &targets) const;
  VertexSet descendants_checked(const std::vector<RevisionGraph::Vertex> &targets) const;
  std::vector<Position> revisions_of(const std::vector<RevisionGraph::Vertex> &vs) const;

  const RevisionGraph &g_;
};

std::string describe(const Spec &spec);

// The refusals callers reword for their command (Alembic's _catch_revision_errors).
class MultipleHeads : public Error {
public:
  MultipleHeads(std::vector<std::string> heads, std::string argument);
  std::vector<std::string> heads;
  std::string argument;
};

class ResolutionFailure : public Error {
public:
  ResolutionFailure(const std::string &internal_message, std::string argument);
  std::string argument;
};

class RangeNotAncestor : public Error {
public:
  RangeNotAncestor(std::string lower, std::string upper);
  std::string lower, upper;
};

std::string multiple_heads_message(const std::string &argument);

} // namespace migrate
