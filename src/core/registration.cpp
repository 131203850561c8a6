#include "core/registration.hpp"

#include "core/text.hpp"

namespace migrate {

Error unknown_parent(const std::string &revision, const std::string &parent) {
  return Error(sqlstate::undefined_object,
               "revision " + excerpt(revision) + " has unknown parent \"" + excerpt(parent) + "\"", {},
               "Register a revision's parents before the revision itself.");
}

Error unknown_dependency(const std::string &revision, const std::string &dependency) {
  return Error(sqlstate::undefined_object,
               "revision " + excerpt(revision) + " depends on unknown revision or branch label \"" +
                   excerpt(dependency) + "\"",
               {}, "Register a dependency before the revisions that depend on it.");
}

Error label_taken(const std::string &label, const std::string &revision, const std::string &owner) {
  return Error(sqlstate::duplicate_object, "Branch name '" + excerpt(label) + "' in revision " + excerpt(revision) +
                                               " already used by revision " + excerpt(owner));
}

Error label_is_revision(const std::string &label, const std::string &revision) {
  return Error(sqlstate::duplicate_object,
               "branch label \"" + excerpt(label) + "\" of revision " + excerpt(revision) + " is also a revision id",
               {}, "Branch labels and revision ids share one namespace in targets.");
}

void check_new_revision(const RevisionInfo &r, const CatalogLookup &catalog) {
  if (auto owner = catalog.label_owner(r.id))
    throw Error(sqlstate::duplicate_object,
                "revision id \"" + excerpt(r.id) + "\" is already a branch label of revision " + excerpt(*owner), {},
                "Branch labels and revision ids share one namespace in targets.");
  for (const auto &parent : r.down_revisions)
    if (!catalog.revision_exists(parent))
      throw unknown_parent(r.id, parent);
  for (const auto &dep : r.depends_on)
    if (!catalog.revision_exists(dep) && !catalog.label_owner(dep))
      throw unknown_dependency(r.id, dep);
  for (const auto &label : r.branch_labels) {
    if (catalog.revision_exists(label))
      throw label_is_revision(label, r.id);
    if (auto owner = catalog.label_owner(label))
      throw label_taken(label, r.id, *owner);
  }
}

} // namespace migrate
