// The checks every run makes before it creates anything: each bad input is
// one problem line naming where the key was set (file:line, override, or
// the file with "(default)"), the key and what is wrong; a config that can
// run has none; a file that sets no key, or a directory, is not a config.
#include "scheduler/experiment/experiment_checks.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>

#include "tests/support/test_paths.h"

namespace bigpe::engine {
namespace {

using Problems = std::vector<std::string>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

class ExperimentChecks : public ::testing::Test {
 protected:
  bigpe::testing::TempDir dir{"checks"};

  // Writes `yaml` to x.yaml and loads it with `overrides`.
  Config config(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    std::ofstream(file()) << yaml;
    return load_experiment_config(file(), overrides);
  }
  std::string file() const { return dir.file("x.yaml"); }
  // A text file in the temp folder.
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  }
};

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(ExperimentChecks, TheQuickstartHasNoProblems) {
  const Config c = load_experiment_config(bigpe::testing::source_dir() + "/experiments/quickstart.yaml", {});
  EXPECT_EQ(experiment_problems(c), Problems{});
  EXPECT_NO_THROW(check_experiment(c));
}

TEST_F(ExperimentChecks, AMissingQueriesFileNamesFileLineAndKey) {
  EXPECT_EQ(experiment_problems(config("name: x\nqueries:\n  path: /nonexistent/q.txt\n")),
            Problems{file() + ":3: key 'queries.path': cannot read /nonexistent/q.txt (No such file or directory)"});
  EXPECT_EQ(experiment_problems(config("name: x\n", {"queries.path=" + dir.path()})),
            Problems{"override 'queries.path=" + dir.path() + "': key 'queries.path': " + dir.path() +
                     " is a directory, not a file"});
  const std::string dup = write("dup.txt", "A cactus\nA cactus\n");
  EXPECT_EQ(experiment_problems(config("name: x\n", {"queries.path=" + dup})),
            Problems{"override 'queries.path=" + dup + "': key 'queries.path': " + dup +
                     ":2: duplicate query 'A cactus' (first at line 1)"});
}

TEST_F(ExperimentChecks, TheHeldOutQueriesMustLeaveSomeToTrainOn) {
  const std::string queries = write("q.txt", "one\ntwo\nthree\nfour\nfive\n");
  EXPECT_EQ(experiment_problems(config("queries:\n  path: " + queries + "\n  heldout: 5\n")),
            Problems{file() + ":3: key 'queries.heldout': holds out 5 of the 5 queries in " + queries +
                     ", leaving none to train on"});
  EXPECT_EQ(experiment_problems(config("queries:\n  path: " + queries + "\n  heldout: 4\n")), Problems{});
}

TEST_F(ExperimentChecks, AJsonlDatabaseNeedsAPathToAFileWithRows) {
  EXPECT_EQ(experiment_problems(config("name: x\nprofessional:\n  source: jsonl\n")),
            Problems{file() + ":3: key 'professional.source': jsonl needs professional.path (the database "
                              "file); none is set"});
  const std::string empty = write("empty.jsonl", "");
  EXPECT_EQ(experiment_problems(config("professional:\n  source: text\n  path: " + empty + "\n")),
            Problems{file() + ":3: key 'professional.path': " + empty + " is empty"});
  const std::string rows = write("rows.txt", "a cactus, by a painter\n");
  EXPECT_EQ(experiment_problems(config("professional:\n  source: text\n  path: " + rows + "\n")), Problems{});
}

TEST_F(ExperimentChecks, TheApiKeyVariableMustBeSet) {
  const std::string yaml = "llm:\n  backend: openai\n  api_key_env: BIGPE_TEST_CHECKS_KEY\n";
  {
    ScopedEnv unset("BIGPE_TEST_CHECKS_KEY", nullptr);
    EXPECT_EQ(experiment_problems(config(yaml)),
              Problems{file() + ":3: key 'llm.api_key_env': names the environment variable "
                                "BIGPE_TEST_CHECKS_KEY, which is not set"});
  }
  {
    ScopedEnv empty("BIGPE_TEST_CHECKS_KEY", "");
    EXPECT_EQ(experiment_problems(config(yaml)).size(), 1u);
  }
  ScopedEnv set("BIGPE_TEST_CHECKS_KEY", "sk-test");
  EXPECT_EQ(experiment_problems(config(yaml)), Problems{});
  EXPECT_EQ(experiment_problems(config(yaml, {"llm.base_url=127.0.0.1:8000", "llm.model="})),
            (Problems{"override 'llm.model=': key 'llm.model': llm.backend openai needs a model name",
                      "override 'llm.base_url=127.0.0.1:8000': key 'llm.base_url': llm.backend openai needs "
                      "the server's http:// or https:// url, got '127.0.0.1:8000'"}));
}

TEST_F(ExperimentChecks, BudgetLoopLimitsAreRefusedUpFront) {
  EXPECT_EQ(experiment_problems(config("loop: budget\nbudget:\n  gradients: 9\n")),
            Problems{file() + ":3: key 'budget.gradients': budget.expand x budget.gradients = 2 x 9 = 18 "
                              "gradient calls per step; at most 16 fit the step's LLM sample indices"});
  EXPECT_EQ(experiment_problems(config("loop: budget\nbudget:\n  gradients: 8\n")), Problems{});
  EXPECT_EQ(experiment_problems(config("loop: paper\nbudget:\n  gradients: 9\n")), Problems{})
      << "the paper loop has no such limit";
  EXPECT_EQ(experiment_problems(config("loop: budget\nselector:\n  kind: ucb-paper\n")),
            Problems{file() + ":3: key 'selector.kind': loop 'budget': 'ucb-paper' cannot allocate renders in "
                              "the budget loop (expected ucb, greedy, eps-greedy, successive-halving or "
                              "successive-rejects)"});
  EXPECT_EQ(experiment_problems(config("selector:\n  kind: successive-halving\n")),
            Problems{file() + ":2: key 'selector.kind': loop 'paper': unknown selector 'successive-halving' "
                              "(expected ucb, ucb-paper, greedy or eps-greedy)"});
}

TEST_F(ExperimentChecks, TheSimVocabularyMustBeReadable) {
  EXPECT_EQ(experiment_problems(config("sim:\n  vocabulary: /nonexistent/v.txt\n")),
            Problems{file() + ":2: key 'sim.vocabulary': cannot read /nonexistent/v.txt (No such file or "
                              "directory)"});
  const std::string small = write("v.txt", "neon\nfog\n");
  EXPECT_EQ(experiment_problems(config("sim:\n  vocabulary: " + small + "\n")),
            Problems{file() + ":2: key 'sim.vocabulary': " + small +
                     " holds 2 phrases; synthetic professional prompts need at least 8"});
}

TEST_F(ExperimentChecks, AProblemWithADefaultIsReportedAgainstTheFile) {
  ScopedEnv data("BIGPE_DATA_DIR", "/nonexistent-data");
  EXPECT_EQ(experiment_problems(config("name: x\nprofessional:\n  source: none\n")),
            (Problems{file() + ": key 'queries.path' (default): cannot read /nonexistent-data/queries.txt (No "
                               "such file or directory)",
                      file() + ": key 'sim.vocabulary' (default): cannot read "
                               "/nonexistent-data/sim_vocabulary.txt (No such file or directory)"}));
}

TEST_F(ExperimentChecks, InfrastructureCombinationsAreRefused) {
  EXPECT_EQ(experiment_problems(config("broker: tcp://127.0.0.1:5555\n")),
            Problems{file() + ":1: key 'broker': workers: local needs broker: embedded (start `bigpe worker` "
                              "processes against a remote broker instead)"});
  EXPECT_EQ(experiment_problems(config("broker: tcp://127.0.0.1:5555\nworkers: remote\n")), Problems{});
  EXPECT_EQ(experiment_problems(config("redis: localhost:6379\n")),
            Problems{file() + ":1: key 'redis': redis url 'localhost:6379': must start with redis:// (or "
                              "'auto': a private redis-server)"});
}

TEST_F(ExperimentChecks, SecretFilesMustExistAndHoldAKey) {
  EXPECT_EQ(experiment_problems(config("redis_password_file: /nonexistent/pw\n")),
            Problems{file() + ":1: key 'redis_password_file': cannot read /nonexistent/pw (No such file or "
                              "directory)"});
  const std::string not_key = write("bad.key", "not a key\n");
  EXPECT_EQ(experiment_problems(config("broker_auth:\n  client_key: " + not_key + "\n")),
            Problems{file() + ":2: key 'broker_auth.client_key': CURVE needs both broker_auth.server_key (the "
                              "broker's .pub file) and broker_auth.client_key (this scheduler's .key file)"});
  EXPECT_EQ(experiment_problems(config("broker_auth:\n  client_key: " + not_key +
                                       "\n  server_key: /nonexistent/b.pub\n")),
            (Problems{file() + ":2: key 'broker_auth.client_key': CURVE key file " + not_key +
                               ": not a Z85 key (40 characters expected)",
                      file() + ":3: key 'broker_auth.server_key': cannot read /nonexistent/b.pub (No such file "
                               "or directory)"}));
}

TEST_F(ExperimentChecks, APasswordInAnOverrideIsNotRepeated) {
  const Problems p = experiment_problems(config("name: x\n", {"redis=redis://:hunter2@127.0.0.1:6379"}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].rfind("override of 'redis': key 'redis': the url holds a password", 0), 0u) << p[0];
  EXPECT_EQ(p[0].find("hunter2"), std::string::npos) << p[0];
}

TEST_F(ExperimentChecks, SeveralProblemsAreOneErrorWithALineEach) {
  const Config c = config("name: x\nqueries:\n  path: /nonexistent/q.txt\nprofessional:\n  source: jsonl\n");
  EXPECT_EQ(error_of([&] { check_experiment(c); }),
            "2 problems in the config:\n"
            "  " + file() + ":3: key 'queries.path': cannot read /nonexistent/q.txt (No such file or directory)\n"
            "  " + file() + ":5: key 'professional.source': jsonl needs professional.path (the database file); "
            "none is set");
}

TEST_F(ExperimentChecks, AFileThatSetsNoKeyIsNotAnExperiment) {
  const std::string why = ": holds no keys; an experiment file sets at least one (e.g. `name: my-run`); "
                          "every key and its default: bigpe config keys";
  for (const std::string text : {"", "# only a comment\n", "{}\n", "~\n"}) {
    std::ofstream(file()) << text;
    EXPECT_EQ(error_of([&] { load_experiment_config(file(), {"iterations=2"}); }), file() + why)
        << "text '" << text << "': overrides do not make an empty file an experiment";
  }
  EXPECT_EQ(error_of([&] { load_experiment_config(dir.path(), {}); }),
            dir.path() + ": is a directory, not a YAML config file");
}

}  // namespace
}  // namespace bigpe::engine
