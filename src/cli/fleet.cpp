#include "cli/fleet.hpp"

#include "core/error.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace migrate::cli {

void print_notice(Output &out, const ServerMessage &m) {
  if (m.message.rfind("Running ", 0) == 0 && (m.severity == "NOTICE" || m.severity == "INFO"))
    out.info("alembic.runtime.migration", m.message);
  else
    out.server_message(m);
}

bool is_step_notice(const ServerMessage &m) {
  return m.message.rfind("Running upgrade ", 0) == 0 || m.message.rfind("Running downgrade ", 0) == 0;
}

namespace {

struct DatabaseResult {
  std::string label;
  Outcome outcome;
};

std::string first_line(const ServerMessage &m) {
  return (m.sqlstate.empty() ? "" : m.sqlstate + " ") + m.message;
}

DatabaseResult run_one(const std::string &conninfo, Output &out, const DatabaseJob &job) {
  DatabaseResult r{describe_conninfo(conninfo), {}};
  try {
    Connection c(conninfo);
    r.label = c.label();
    c.set_notice_handler([&out](const ServerMessage &m) { print_notice(out, m); });
    r.outcome = job(c, out);
  } catch (const ServerError &e) {
    out.server_message(e.report);
    r.outcome = {false, first_line(e.report)};
  } catch (const Failure &f) {
    out.failure(f);
    r.outcome = {false, f.what()};
  } catch (const Reported &) {
    r.outcome = {false, "see above"};
  } catch (const Error &e) {
    // A refusal of the core (a target it cannot resolve): Alembic's words.
    out.server_message(ServerMessage{"", "", e.what(), e.detail(), e.hint(), ""});
    r.outcome = {false, e.what()};
  } catch (const std::exception &e) {
    out.log(std::string("error: ") + e.what());
    r.outcome = {false, e.what()};
  }
  return r;
}

} // namespace

int run_on_databases(const GlobalOptions &options, const DatabaseJob &job) {
  std::vector<std::string> targets = options.dsns;
  if (targets.empty())
    targets.push_back(""); // libpq's defaults, as psql without arguments
  if (targets.size() == 1)
    return run_one(targets.front(), console(), job).outcome.ok ? exit_ok : exit_failed;

  const std::size_t n = targets.size();
  std::vector<Buffered> buffers(n);
  std::vector<DatabaseResult> results(n);
  std::vector<bool> finished(n, false);
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::size_t printed = 0, done = 0, failed = 0;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < n;) {
      DatabaseResult r = run_one(targets[i], buffers[i], job);
      std::lock_guard<std::mutex> lock(mutex);
      results[i] = std::move(r);
      finished[i] = true;
      ++done;
      if (!results[i].outcome.ok)
        ++failed;
      // In the order given, each as soon as those before it are done.
      for (; printed < n && finished[printed]; ++printed) {
        const DatabaseResult &p = results[printed];
        for (const auto &line : buffers[printed].lines()) {
          if (line.result)
            console().out("[" + p.label + "] " + line.text);
          else
            console().log("[" + p.label + "] " + line.text);
        }
        console().out(p.label + ": " + (p.outcome.ok ? "ok" : "FAILED") +
                      (p.outcome.summary.empty() ? "" : ": " + p.outcome.summary));
      }
      console().status("databases: " + std::to_string(done) + "/" + std::to_string(n) + " done" +
                       (failed ? ", " + std::to_string(failed) + " failed" : ""));
    }
  };
  std::vector<std::thread> threads;
  const std::size_t jobs = std::min<std::size_t>(static_cast<std::size_t>(options.jobs), n);
  for (std::size_t t = 0; t < jobs; ++t)
    threads.emplace_back(worker);
  for (auto &t : threads)
    t.join();
  console().status("");
  if (failed) {
    console().log(std::to_string(failed) + " of " + std::to_string(n) + " databases failed");
    return exit_failed;
  }
  return exit_ok;
}

} // namespace migrate::cli
