#pragma once
// `bigpe status [--follow] [--redis URL | RUN_DIR]`: campaigns and
// experiments with progress bars (iterations, renders done and cached),
// the best batch score so far, the render rate of the last iteration, and
// the broker's view (workers, queued and in-flight tasks per service,
// dispatch and result rates) when its endpoint is known (a running folder's
// live.json, or --broker). Read from the meta hashes, the committed states
// and the event streams, never written.
//
// Each experiment row shows its phase (training, evaluation, done); labels
// are never cut (the column takes the longest). The broker line names the
// broker's instance id.
//
// --follow redraws in place on a terminal and prints one frame after another
// (plain lines) when not; it ends when nothing shown is running any more.
// When a followed folder's private Redis goes (its run ended), it waits for
// the owner to release the folder and draws a final frame from its data.
//
// Thread-safety: call from the main thread.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

struct StatusRequest {
  std::string target;     // run folder, campaign folder, or empty with redis_url
  std::string redis_url;  // --redis
  std::string broker;     // --broker tcp://HOST:PORT
  std::string curve_key;   // --curve-key: our secret key file, for a CURVE broker
  std::string broker_key;  // --broker-key: the broker's public key file
  bool follow = false;
  double interval_s = 2.0;
};

// Returns the exit status: 0 shown, 1 nothing to show / bad input.
int run_status(const StatusRequest& request, std::ostream& out, bool terminal);

}  // namespace bigpe::engine
