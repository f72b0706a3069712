#pragma once
// Frame layout and protocol constants of the bigpe wire protocol.
// The full specification is schemas/README.md; this header is its code.
//
// Every message on a DEALER->ROUTER connection is three frames:
//   [header "BIGPE/1"] [command, e.g. "READY"] [msgpack body map with "v"]
// (the ROUTER sees the peer's routing id as an extra first frame).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace bigpe::schemas {

inline constexpr const char* kProtocolHeader = "BIGPE/1";
inline constexpr int kSchemaVersion = 1;

// Liveness: heartbeat every interval both ways; a peer that sends nothing for
// kHeartbeatLiveness intervals is dead.
inline constexpr std::chrono::milliseconds kHeartbeatInterval{1000};
inline constexpr int kHeartbeatLiveness = 5;
inline constexpr std::chrono::milliseconds kReconnectInitial{1000};
inline constexpr std::chrono::milliseconds kReconnectMax{32000};
inline constexpr int kDefaultMaxAttempts = 3;
// A client resubmits a task it has had no answer for after this long.
inline constexpr std::chrono::milliseconds kTaskDeadline{600000};
// Lease of a dispatched task: a worker that neither answers nor dies within
// it (a hung compute thread keeps heartbeating) loses the task, which goes
// back to the front of its queue at attempt + 1. Generous against the
// expected batch time (seconds on a GPU); a task's SUBMIT lease_ms, or
// `bigpe broker --task-lease-ms`, overrides it. Shorter than kTaskDeadline,
// so the broker takes a task back before its client resubmits it.
inline constexpr std::chrono::milliseconds kTaskLease{300000};
// A worker whose leases expire this many times without a RESULT in between
// is suspect: it gets no new task until it answers.
inline constexpr int kSuspectAfterExpiries = 2;
// Tasks per SUBMIT message, so one message stays far below kMaxMessageBytes.
inline constexpr std::size_t kSubmitChunk = 256;
inline constexpr int kDefaultSlots = 2;
// READY.slots is refused outside [1, kMaxSlots].
inline constexpr int kMaxSlots = 1024;
// Largest frame a socket accepts (ZMQ_MAXMSGSIZE): libzmq closes a
// connection that announces a bigger frame before buffering it, so a peer
// cannot make us allocate more. Equal to the body limit of msgpack_map.h.
inline constexpr int64_t kMaxMessageBytes = int64_t{64} << 20;

enum class Command {
  kReady,       // worker -> broker
  kResult,      // worker -> broker, broker -> client
  kHeartbeat,   // both ways
  kDisconnect,  // both ways
  kTask,        // broker -> worker
  kSubmit,      // client -> broker
  kCancel,      // client -> broker (an experiment), broker -> worker (one task)
  kStatus,      // client -> broker (request) and broker -> client (reply)
  kAccepted,    // broker -> client
  kFailed,      // broker -> client
  kTasks,       // broker -> worker: several TASKs (workers that said batch)
  kResults,     // worker -> broker, broker -> client: several RESULTs
};

const char* command_name(Command c);
std::optional<Command> parse_command(const std::string& name);

}  // namespace bigpe::schemas
