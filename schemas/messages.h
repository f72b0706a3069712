#pragma once
// Bodies of the wire messages (docs/design.md section 3, schemas/README.md).
// Each encodes to a msgpack map carrying "v"; decode_* ignore unknown keys
// and throw DecodeError naming the message and field for a missing or
// mistyped required one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/protocol.h"
#include "schemas/render_limits.h"

namespace bigpe::schemas {

// worker -> broker: announce services and credit.
struct Ready {
  std::vector<std::string> services;
  int slots = kDefaultSlots;
  std::string worker_id;
  std::string host;
  std::string device;
  // The worker understands TASKS (several tasks in one message).
  bool batch = false;
  // Names one registration of one worker process: the same session sending
  // READY again changes nothing; a new one is a restart (schemas/README.md
  // section 4). Empty: every READY is a new registration.
  std::string session{};
  // Its backend identity (backends/backend_identity.h): it is given only
  // tasks that name this identity.
  std::string identity{};
  // The render params its renderer accepts (empty: it advertises none).
  RenderLimits limits{};
};

// One task as a client submits it. The broker routes on service and
// experiment_id and never looks inside body (msgpack of a RenderTask).
struct TaskEnvelope {
  std::string task_id;
  std::string experiment_id;
  std::string service;
  std::string body;
  // The backend identity the task needs: only workers of `service` that
  // advertise exactly this identity get it (the body's RenderTask names
  // the same one).
  std::string identity;
  // The task's lease in ms (0: the broker's default), so that a client that
  // knows its service's batch time can set it (SUBMIT tasks[i].lease_ms).
  int64_t lease_ms = 0;
};

struct Submit {
  std::vector<TaskEnvelope> tasks;
  // The client understands RESULTS (several results in one message).
  bool batch = false;
};

// broker -> client: these task ids are queued (or were already known).
struct Accepted {
  std::vector<std::string> task_ids;
  std::string broker_id;  // the broker's instance id (changes on restart)
};

// broker -> worker.
struct Task {
  std::string task_id;
  int attempt = 1;
  std::string experiment_id;
  std::string body;
};

// worker -> broker and broker -> client. A non-empty error means the attempt
// failed (the broker retries up to max_attempts); body is then empty.
// `permanent` (with an error): the task would fail the same way on any
// attempt (the worker refused it by rule, e.g. a prompt over the limit), so
// the broker fails it at once instead of retrying.
struct Result {
  std::string task_id;
  std::string body;  // msgpack of a RenderResult
  std::string error;
  int attempt = 1;
  bool permanent = false;
};

// TASKS (broker -> worker) and RESULTS (worker -> broker, broker -> client):
// the same records as TASK and RESULT, several to a message, sent only to
// peers that said `batch`. The fabric's cost is per message, not per byte,
// so a worker holding 32 tasks costs one message each way instead of 32.
struct TaskBatch {
  std::vector<Task> tasks;
};
struct ResultBatch {
  std::vector<Result> results;
};

// One element of a TASKS or RESULTS body (or a whole TASK or RESULT body,
// decoded as an entry). Elements decode one by one so that a malformed
// element costs only itself: `error` (naming the element and field) is set
// when it did not decode, `task_id` whenever it could be read, and
// `attempt` as read (1 when absent, as in TASK and RESULT; 0 when present
// but unreadable), so that a garbled answer can still be matched with the
// attempt in flight.
template <typename T>
struct BatchEntry {
  std::optional<T> value;
  std::string task_id;
  int attempt = 0;
  std::string error;
};

// broker -> client: the task failed max_attempts times.
struct Failed {
  std::string task_id;
  std::string reason;
  int attempts = 0;
  std::vector<std::string> reasons;  // one per attempt, oldest first
};

struct Cancel {
  std::string experiment_id;
};

// broker -> worker: the lease of this attempt expired; the task went
// elsewhere. Drop it if it has not started; a late answer is ignored.
struct CancelTask {
  std::string task_id;
  int attempt = 1;
};

// One registered worker, as STATUS lists it.
struct WorkerStatus {
  std::string worker_id;
  std::vector<std::string> services;
  int64_t slots = 0;
  int64_t held = 0;
  bool suspect = false;  // leases expired without an answer: no new work
  int64_t busy_ms = 0;   // its batch has run this long (its last HEARTBEAT)
  bool stalled = false;  // past the worker's own watchdog limit
};

// One service as served under one backend identity: a service whose
// workers or tasks name several identities has one entry per identity.
struct ServiceStatus {
  std::string name;
  int64_t queued = 0;
  int64_t in_flight = 0;
  int64_t workers = 0;
  int64_t free_slots = 0;
  std::string identity;  // last, so that aggregate initializers stay valid
  RenderLimits limits{};  // what its workers' renderer accepts (their latest READY)
};

// broker -> client reply to a STATUS request (whose body is just {v}).
struct StatusReply {
  std::vector<ServiceStatus> services;
  int64_t workers = 0;
  int64_t queued = 0;
  int64_t in_flight = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  double dispatch_rate = 0;  // tasks per second over the last few seconds
  double result_rate = 0;
  std::vector<WorkerStatus> worker_list;  // sorted by worker_id
};

// HEARTBEAT carries the sender's id: the broker's random instance id (a new
// one means the broker restarted: resend READY, resubmit in-flight tasks);
// clients and workers may send their own id or nothing. DISCONNECT carries
// an optional reason.
// A worker's HEARTBEAT also says how long its current batch has run
// (busy_ms, 0: idle) and whether that is past its watchdog (stalled): its
// heartbeat thread lives on when the compute thread hangs.
struct Heartbeat {
  std::string sender;
  int64_t busy_ms = 0;
  bool stalled = false;
};
struct Disconnect {
  std::string reason;
};

std::string encode(const Ready& m);
std::string encode(const Submit& m);
std::string encode(const Accepted& m);
std::string encode(const Task& m);
std::string encode(const Result& m);
std::string encode(const TaskBatch& m);
std::string encode(const ResultBatch& m);
std::string encode(const Failed& m);
std::string encode(const Cancel& m);
std::string encode(const CancelTask& m);
std::string encode(const StatusReply& m);
std::string encode(const Heartbeat& m);
std::string encode(const Disconnect& m);
std::string encode_empty();  // {v}: STATUS request

Ready decode_ready(const std::string& bytes);
Submit decode_submit(const std::string& bytes);
Accepted decode_accepted(const std::string& bytes);
Task decode_task(const std::string& bytes);
Result decode_result(const std::string& bytes);
// A RESULT body as an entry: never throws; a body that does not decode comes
// back with `error` set and whatever of task_id and attempt could be read.
BatchEntry<Result> decode_result_entry(const std::string& bytes);
// Throw DecodeError only when the body is not a valid map with its array;
// bad elements come back as entries with `error` set.
std::vector<BatchEntry<Task>> decode_task_batch(const std::string& bytes);
std::vector<BatchEntry<Result>> decode_result_batch(const std::string& bytes);
Failed decode_failed(const std::string& bytes);
Cancel decode_cancel(const std::string& bytes);
CancelTask decode_cancel_task(const std::string& bytes);
StatusReply decode_status_reply(const std::string& bytes);
Heartbeat decode_heartbeat(const std::string& bytes);
Disconnect decode_disconnect(const std::string& bytes);
// Checks a body is a map with a supported "v" (for HEARTBEAT, STATUS).
void decode_empty(const std::string& bytes, const std::string& message_name);

}  // namespace bigpe::schemas
