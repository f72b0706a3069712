#include "schemas/messages.h"

#include "schemas/msgpack_map.h"
#include "schemas/protocol.h"
#include "schemas/versioned_body.h"

namespace bigpe::schemas {
namespace {

void write_bin(MapWriter& w, const char* key, const std::string& bytes) {
  w.key(key);
  w.packer().pack_bin(static_cast<uint32_t>(bytes.size()));
  w.packer().pack_bin_body(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

constexpr uint32_t kTaskFields = 4;
void write_task(MapWriter& w, const Task& m) {
  w.field("task_id", m.task_id).field("attempt", m.attempt);
  w.field("experiment_id", m.experiment_id);
  write_bin(w, "body", m.body);
}
void read_task(const MapReader& r, Task& m) {
  m.task_id = r.required<std::string>("task_id");
  m.attempt = r.required<int>("attempt");
  m.experiment_id = r.optional<std::string>("experiment_id", "");
  m.body = read_bytes(r, "body", true);
}

constexpr uint32_t kResultFields = 5;
void write_result(MapWriter& w, const Result& m) {
  w.field("task_id", m.task_id).field("attempt", m.attempt).field("error", m.error);
  write_bin(w, "body", m.body);
  w.field("permanent", m.permanent);
}
void read_result(const MapReader& r, Result& m) {
  m.task_id = r.required<std::string>("task_id");
  m.attempt = r.optional<int>("attempt", 1);
  m.error = r.optional<std::string>("error", "");
  m.body = read_bytes(r, "body", m.error.empty());
  m.permanent = r.optional<bool>("permanent", false);
}

// Packs {v, <key>: [records]} with `write` filling each record's map.
template <typename T, typename Write>
std::string write_batch(const char* key, const std::vector<T>& records, uint32_t fields, Write write) {
  return write_body(1, [&](MapWriter& w) {
    w.key(key);
    auto& pk = w.packer();
    pk.pack_array(static_cast<uint32_t>(records.size()));
    for (const T& record : records) {
      MapWriter rw(pk, fields);
      write(rw, record);
    }
  });
}

// The task id and attempt of a TASK or RESULT map, as far as they can be
// read, for an entry that may not decode as a whole (see BatchEntry).
template <typename T>
void peek_identity(const MapReader& r, BatchEntry<T>& e) {
  try {
    e.task_id = r.optional<std::string>("task_id", "");
  } catch (const DecodeError&) {
    e.task_id.clear();
  }
  try {
    e.attempt = r.optional<int>("attempt", 1);
  } catch (const DecodeError&) {
    e.attempt = 0;
  }
}

// Decodes each element of body[key] on its own (see BatchEntry).
template <typename T, typename Read>
std::vector<BatchEntry<T>> read_batch(const std::string& bytes, const char* message, const char* key, Read read) {
  std::vector<BatchEntry<T>> out;
  read_body(bytes, message, [&](const MapReader& r) {
    auto elements = r.array(key, true);
    out.resize(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) {
      BatchEntry<T>& e = out[i];
      const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
      try {
        MapReader er = r.nested(*elements[i], path);
        peek_identity(er, e);
        T value;
        read(er, value);
        e.value = std::move(value);
      } catch (const DecodeError& err) {
        e.error = err.what();
      } catch (const msgpack::type_error&) {
        e.error = DecodeError(message, path, "a field has the wrong type").what();
      }
    }
  });
  return out;
}

// RenderLimits as a nested map of 6 fields (READY.limits,
// STATUS.services[i].limits); absent: empty limits.
void write_limits(MapWriter& w, const char* key, const RenderLimits& l) {
  w.key(key);
  MapWriter lw(w.packer(), 6);
  lw.field("family", l.family).field("min_steps", l.min_steps).field("max_steps", l.max_steps);
  lw.field("max_guidance", l.max_guidance).field("size_multiple", l.size_multiple).field("samplers", l.samplers);
}

RenderLimits read_limits(const MapReader& r, const char* key) {
  RenderLimits l;
  const msgpack::object* o = r.find(key);
  if (o == nullptr || o->type == msgpack::type::NIL) return l;
  MapReader lr = r.nested(*o, key);
  l.family = lr.optional<std::string>("family", "");
  l.min_steps = lr.optional<int>("min_steps", 0);
  l.max_steps = lr.optional<int>("max_steps", 0);
  l.max_guidance = lr.optional<double>("max_guidance", -1);
  l.size_multiple = lr.optional<int>("size_multiple", 1);
  if (l.size_multiple < 1) throw DecodeError(lr.message_name(), "size_multiple", "must be at least 1");
  l.samplers = lr.optional<std::vector<std::string>>("samplers", {});
  return l;
}

}  // namespace

std::string encode(const Ready& m) {
  const bool limits = !m.limits.empty();
  return write_body(limits ? 9 : 8, [&](MapWriter& w) {
    w.field("service", m.services).field("slots", m.slots).field("worker_id", m.worker_id);
    w.field("host", m.host).field("device", m.device).field("batch", m.batch);
    w.field("session", m.session);
    w.field("identity", m.identity);
    if (limits) write_limits(w, "limits", m.limits);
  });
}

Ready decode_ready(const std::string& bytes) {
  Ready m;
  read_body(bytes, "READY", [&](const MapReader& r) {
    m.services = r.required<std::vector<std::string>>("service");
    m.slots = r.required<int>("slots");
    if (m.slots < 1 || m.slots > kMaxSlots)
      throw DecodeError("READY", "slots",
                        "must be in [1, " + std::to_string(kMaxSlots) + "], got " + std::to_string(m.slots));
    m.worker_id = r.required<std::string>("worker_id");
    if (m.worker_id.empty()) throw DecodeError("READY", "worker_id", "must not be empty");
    m.host = r.optional<std::string>("host", "");
    m.device = r.optional<std::string>("device", "");
    m.batch = r.optional<bool>("batch", false);
    m.session = r.optional<std::string>("session", "");
    m.identity = r.optional<std::string>("identity", "");
    m.limits = read_limits(r, "limits");
  });
  return m;
}

std::string encode(const Submit& m) {
  return write_body(2, [&](MapWriter& w) {
    w.field("batch", m.batch);
    w.key("tasks");
    auto& pk = w.packer();
    pk.pack_array(static_cast<uint32_t>(m.tasks.size()));
    for (const TaskEnvelope& t : m.tasks) {
      MapWriter tw(pk, t.lease_ms > 0 ? 6 : 5);
      if (t.lease_ms > 0) tw.field("lease_ms", t.lease_ms);
      tw.field("task_id", t.task_id).field("experiment_id", t.experiment_id);
      tw.field("service", t.service).field("identity", t.identity);
      tw.key("body");
      pk.pack_bin(static_cast<uint32_t>(t.body.size()));
      pk.pack_bin_body(t.body.data(), static_cast<uint32_t>(t.body.size()));
    }
  });
}

Submit decode_submit(const std::string& bytes) {
  Submit m;
  read_body(bytes, "SUBMIT", [&](const MapReader& r) {
    auto tasks = r.array("tasks", true);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      MapReader tr = r.nested(*tasks[i], "tasks[" + std::to_string(i) + "]");
      TaskEnvelope t;
      t.task_id = tr.required<std::string>("task_id");
      if (t.task_id.empty()) throw DecodeError(tr.message_name(), "task_id", "must not be empty");
      t.experiment_id = tr.optional<std::string>("experiment_id", "");
      t.service = tr.required<std::string>("service");
      t.identity = tr.optional<std::string>("identity", "");
      t.body = read_bytes(tr, "body", true);
      t.lease_ms = tr.optional<int64_t>("lease_ms", 0);
      if (t.lease_ms < 0) throw DecodeError(tr.message_name(), "lease_ms", "must not be negative");
      m.tasks.push_back(std::move(t));
    }
    m.batch = r.optional<bool>("batch", false);
  });
  return m;
}

std::string encode(const Accepted& m) {
  return write_body(2, [&](MapWriter& w) {
    w.field("task_ids", m.task_ids).field("broker_id", m.broker_id);
  });
}

Accepted decode_accepted(const std::string& bytes) {
  Accepted m;
  read_body(bytes, "ACCEPTED", [&](const MapReader& r) {
    m.task_ids = r.required<std::vector<std::string>>("task_ids");
    m.broker_id = r.optional<std::string>("broker_id", "");
  });
  return m;
}

std::string encode(const Task& m) {
  return write_body(kTaskFields, [&](MapWriter& w) { write_task(w, m); });
}

Task decode_task(const std::string& bytes) {
  Task m;
  read_body(bytes, "TASK", [&](const MapReader& r) { read_task(r, m); });
  return m;
}

std::string encode(const Result& m) {
  return write_body(kResultFields, [&](MapWriter& w) { write_result(w, m); });
}

Result decode_result(const std::string& bytes) {
  Result m;
  read_body(bytes, "RESULT", [&](const MapReader& r) { read_result(r, m); });
  return m;
}

BatchEntry<Result> decode_result_entry(const std::string& bytes) {
  BatchEntry<Result> e;
  try {
    e.value = decode_result(bytes);
    e.task_id = e.value->task_id;
    e.attempt = e.value->attempt;
    return e;
  } catch (const DecodeError& err) {
    e.error = err.what();
  }
  try {
    msgpack::object_handle oh = unpack_checked(bytes, "RESULT");
    peek_identity(MapReader(oh.get(), "RESULT"), e);
  } catch (const DecodeError&) {
    // Not even a map: nothing can be read.
  }
  return e;
}

std::string encode(const TaskBatch& m) { return write_batch("tasks", m.tasks, kTaskFields, write_task); }

std::string encode(const ResultBatch& m) {
  return write_batch("results", m.results, kResultFields, write_result);
}

std::vector<BatchEntry<Task>> decode_task_batch(const std::string& bytes) {
  return read_batch<Task>(bytes, "TASKS", "tasks", read_task);
}

std::vector<BatchEntry<Result>> decode_result_batch(const std::string& bytes) {
  return read_batch<Result>(bytes, "RESULTS", "results", read_result);
}

std::string encode(const Failed& m) {
  return write_body(4, [&](MapWriter& w) {
    w.field("task_id", m.task_id).field("reason", m.reason).field("attempts", m.attempts);
    w.field("reasons", m.reasons);
  });
}

Failed decode_failed(const std::string& bytes) {
  Failed m;
  read_body(bytes, "FAILED", [&](const MapReader& r) {
    m.task_id = r.required<std::string>("task_id");
    m.reason = r.required<std::string>("reason");
    m.attempts = r.required<int>("attempts");
    m.reasons = r.optional<std::vector<std::string>>("reasons", {});
  });
  return m;
}

std::string encode(const Cancel& m) {
  return write_body(1, [&](MapWriter& w) { w.field("experiment_id", m.experiment_id); });
}

Cancel decode_cancel(const std::string& bytes) {
  Cancel m;
  read_body(bytes, "CANCEL", [&](const MapReader& r) {
    m.experiment_id = r.required<std::string>("experiment_id");
  });
  return m;
}

std::string encode(const CancelTask& m) {
  return write_body(2, [&](MapWriter& w) { w.field("task_id", m.task_id).field("attempt", m.attempt); });
}

CancelTask decode_cancel_task(const std::string& bytes) {
  CancelTask m;
  read_body(bytes, "CANCEL", [&](const MapReader& r) {
    m.task_id = r.required<std::string>("task_id");
    m.attempt = r.required<int>("attempt");
  });
  return m;
}

std::string encode(const StatusReply& m) {
  return write_body(8, [&](MapWriter& w) {
    w.key("services");
    auto& pk = w.packer();
    pk.pack_array(static_cast<uint32_t>(m.services.size()));
    for (const ServiceStatus& s : m.services) {
      MapWriter sw(pk, s.limits.empty() ? 6 : 7);
      sw.field("name", s.name).field("identity", s.identity);
      sw.field("queued", s.queued).field("in_flight", s.in_flight);
      sw.field("workers", s.workers).field("free_slots", s.free_slots);
      if (!s.limits.empty()) write_limits(sw, "limits", s.limits);
    }
    w.field("workers", m.workers).field("queued", m.queued).field("in_flight", m.in_flight);
    w.field("completed", m.completed).field("failed", m.failed);
    w.key("rates");
    MapWriter rw(pk, 2);
    rw.field("dispatch", m.dispatch_rate).field("result", m.result_rate);
    w.key("worker_list");
    pk.pack_array(static_cast<uint32_t>(m.worker_list.size()));
    for (const WorkerStatus& ws : m.worker_list) {
      MapWriter ww(pk, 7);
      ww.field("worker_id", ws.worker_id).field("services", ws.services).field("slots", ws.slots);
      ww.field("held", ws.held).field("suspect", ws.suspect).field("busy_ms", ws.busy_ms);
      ww.field("stalled", ws.stalled);
    }
  });
}

StatusReply decode_status_reply(const std::string& bytes) {
  StatusReply m;
  read_body(bytes, "STATUS", [&](const MapReader& r) {
    auto services = r.array("services", true);
    for (std::size_t i = 0; i < services.size(); ++i) {
      MapReader sr = r.nested(*services[i], "services[" + std::to_string(i) + "]");
      ServiceStatus s;
      s.name = sr.required<std::string>("name");
      s.identity = sr.optional<std::string>("identity", "");
      s.queued = sr.optional<int64_t>("queued", 0);
      s.in_flight = sr.optional<int64_t>("in_flight", 0);
      s.workers = sr.optional<int64_t>("workers", 0);
      s.free_slots = sr.optional<int64_t>("free_slots", 0);
      s.limits = read_limits(sr, "limits");
      m.services.push_back(std::move(s));
    }
    m.workers = r.required<int64_t>("workers");
    m.queued = r.optional<int64_t>("queued", 0);
    m.in_flight = r.required<int64_t>("in_flight");
    m.completed = r.optional<int64_t>("completed", 0);
    m.failed = r.optional<int64_t>("failed", 0);
    if (const msgpack::object* rates = r.find("rates")) {
      MapReader rr = r.nested(*rates, "rates");
      m.dispatch_rate = rr.optional<double>("dispatch", 0.0);
      m.result_rate = rr.optional<double>("result", 0.0);
    }
    if (r.find("worker_list") != nullptr) {
      auto workers = r.array("worker_list", false);
      for (std::size_t i = 0; i < workers.size(); ++i) {
        MapReader wr = r.nested(*workers[i], "worker_list[" + std::to_string(i) + "]");
        WorkerStatus ws;
        ws.worker_id = wr.required<std::string>("worker_id");
        ws.services = wr.optional<std::vector<std::string>>("services", {});
        ws.slots = wr.optional<int64_t>("slots", 0);
        ws.held = wr.optional<int64_t>("held", 0);
        ws.suspect = wr.optional<bool>("suspect", false);
        ws.busy_ms = wr.optional<int64_t>("busy_ms", 0);
        ws.stalled = wr.optional<bool>("stalled", false);
        m.worker_list.push_back(std::move(ws));
      }
    }
  });
  return m;
}

std::string encode(const Heartbeat& m) {
  if (m.sender.empty() && m.busy_ms == 0 && !m.stalled) return encode_empty();
  // busy_ms and stalled only while a batch runs: an idle heartbeat is as before.
  const bool busy = m.busy_ms != 0 || m.stalled;
  return write_body(busy ? 3 : 1, [&](MapWriter& w) {
    w.field("sender", m.sender);
    if (busy) w.field("busy_ms", m.busy_ms).field("stalled", m.stalled);
  });
}

Heartbeat decode_heartbeat(const std::string& bytes) {
  Heartbeat m;
  read_body(bytes, "HEARTBEAT", [&](const MapReader& r) {
    m.sender = r.optional<std::string>("sender", "");
    m.busy_ms = r.optional<int64_t>("busy_ms", 0);
    m.stalled = r.optional<bool>("stalled", false);
  });
  return m;
}

std::string encode(const Disconnect& m) {
  return write_body(1, [&](MapWriter& w) { w.field("reason", m.reason); });
}

Disconnect decode_disconnect(const std::string& bytes) {
  Disconnect m;
  read_body(bytes, "DISCONNECT", [&](const MapReader& r) {
    m.reason = r.optional<std::string>("reason", "");
  });
  return m;
}

std::string encode_empty() {
  return write_body(0, [](MapWriter&) {});
}

void decode_empty(const std::string& bytes, const std::string& message_name) {
  read_body(bytes, message_name, [](const MapReader&) {});
}

}  // namespace bigpe::schemas
