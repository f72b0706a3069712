// bigpe: one executable, one subcommand per role (docs/design.md section 6).
#include <iostream>

#include "common/logging.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"bigpe: batch-instructed prompt evolution for text-to-image models"};
  app.require_subcommand(1);
  std::string log_level = "info";
  auto* level = app.add_option("--log-level", log_level, "trace, debug, info, warn, error (bench: warn)")
                    ->capture_default_str();
  app.parse_complete_callback([&] {
    // A benchmark starts and stops brokers and workers by the dozen; their
    // info lines would bury its figures.
    if (level->count() == 0 && app.got_subcommand("bench")) log_level = "warn";
    bigpe::init_logging(log_level);
  });

  bigpe::cli::register_broker_command(app);
  bigpe::cli::register_worker_command(app);
  bigpe::cli::register_bench_command(app);
  bigpe::cli::register_run_command(app);
  bigpe::cli::register_tokenize_command(app);
  bigpe::cli::register_render_command(app);
  bigpe::cli::register_score_command(app);
  bigpe::cli::register_keygen_command(app);
  bigpe::cli::register_campaign_command(app);
  bigpe::cli::register_eval_command(app);
  bigpe::cli::register_export_command(app);
  bigpe::cli::register_status_command(app);
  bigpe::cli::register_serve_command(app);
  bigpe::cli::register_config_command(app);
  bigpe::cli::register_ls_command(app);
  bigpe::cli::register_diff_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const bigpe::cli::CommandExit& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "bigpe: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
