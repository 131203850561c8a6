// The PostgreSQL side of migrate.lint(): what each statement of a revision's
// upgrade SQL does, read from raw_parser's tree, and the catalog's facts about
// what it touches (core/lint.hpp decides what they mean).
//
// Reading takes no lock and changes nothing: relations are looked up without
// locking, sizes come from the files' lengths (as pg_relation_size measures
// them) and reltuples, a type change or a default is judged by PostgreSQL's
// own coercion, planner and volatility functions. Whatever PostgreSQL raises
// while reading (a syntax error, a function the plan has not created yet) is
// caught in a subtransaction that is rolled back, and becomes the revision's
// syntax_error or that statement's error.
#pragma once

#include "core/lint.hpp"
#include "core/revision_content.hpp"

namespace migrate::pg {

// `collect_literals`: once a statement of the plan added an enum value, every
// later statement's string constants are collected (the rule on its use);
// read_for_lint() sets it when it sees one.
lint::Revision read_for_lint(const RevisionContent &content, bool &collect_literals);

} // namespace migrate::pg
