# PGXS build: the canonical build, install and installcheck.
EXTENSION = migrate
MODULE_big = migrate
SRCS = $(sort $(wildcard src/core/*.cpp)) $(sort $(wildcard src/pg/*.cpp))
OBJS = $(SRCS:.cpp=.o)
DATA = $(wildcard src/sql/migrate--*.sql)
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress
EXTRA_CLEAN = build

PG_CONFIG ?= pg_config
# PostgreSQL's headers are included as system headers: -Wextra -Werror apply to our code only.
PG_CPPFLAGS = -Isrc -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror
SHLIB_LINK += -lstdc++

# Bitcode for JIT inlining buys nothing for this C++ code and would need clang
# to compile Boost: leave it out.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# GCC 12 reports a false maybe-uninitialized inside boost::optional once
# write_graphviz's edge iterator is inlined here (Boost's code, not ours).
src/core/graphviz.o: CXXFLAGS += -Wno-maybe-uninitialized

$(OBJS): $(wildcard src/core/*.hpp src/pg/*.hpp)

installcheck: | build/regress
build/regress:
	mkdir -p $@

# pg_migrate, the client (src/cli/Makefile): built with the extension, linked
# with the same core objects, installed into $(pg_config --bindir).
CORE_OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard src/core/*.cpp)))
CLI_MAKE = $(MAKE) -C src/cli CORE_OBJS="$(abspath $(CORE_OBJS))" PG_CONFIG="$(PG_CONFIG)"
all: pg_migrate
pg_migrate: $(CORE_OBJS)
	+$(CLI_MAKE)
install: install-pg_migrate
install-pg_migrate: pg_migrate
	+$(CLI_MAKE) install
clean: clean-pg_migrate
clean-pg_migrate:
	$(MAKE) -C src/cli clean
.PHONY: pg_migrate install-pg_migrate clean-pg_migrate
