// `bigpe serve [--redis URL] [--runs DIR] [--listen HOST:PORT] [--token-file F]`
// (docs/serve.md).
#include <pthread.h>
#include <signal.h>

#include <iostream>

#include "cli/commands.h"
#include "scheduler/serve/web_server.h"

namespace bigpe::cli {

void register_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "live web view of campaigns, experiments, images and workers");
  auto o = std::make_shared<serve::ServeOptions>();
  cmd->add_option("--redis", o->redis_url, "Redis URL (every campaign and experiment in it)");
  cmd->add_option("--runs", o->runs_dir, "a run or campaign folder, or a folder of them (default: runs)");
  cmd->add_option("--listen", o->listen, "HOST:PORT to bind (loopback unless you say otherwise)")->capture_default_str();
  cmd->add_option("--token-file", o->token_file, "require the token on this file's first line (login form or Bearer)");
  cmd->add_option("--broker", o->broker, "broker client endpoint for /api/workers with --redis");
  cmd->add_option("--curve-key", o->curve_key, "CURVE: this client's secret key file (bigpe keygen)");
  cmd->add_option("--broker-key", o->broker_key, "CURVE: the broker's public key file");
  cmd->callback([o] {
    if (o->redis_url.empty() && o->runs_dir.empty()) o->runs_dir = "runs";
    // SIGINT/SIGTERM are taken by sigwait below, not by the server's threads.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    try {
      serve::WebServer server(*o);
      std::cout << "bigpe serve: " << server.url() << " (Ctrl-C stops)" << std::endl;
      int sig = 0;
      sigwait(&stop_signals, &sig);
      server.stop();
      std::cout << "bigpe serve: stopped" << std::endl;
      throw CommandExit{0};
    } catch (const std::runtime_error& e) {
      std::cerr << "bigpe serve: " << e.what() << "\n";
      throw CommandExit{1};
    }
  });
}

}  // namespace bigpe::cli
