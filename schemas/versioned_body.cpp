#include "schemas/versioned_body.h"

#include "schemas/protocol.h"

namespace bigpe::schemas {

std::string write_body(uint32_t field_count, const std::function<void(MapWriter&)>& fields) {
  return write_body(kSchemaVersion, field_count, fields);
}

std::string write_body(int version, uint32_t field_count, const std::function<void(MapWriter&)>& fields) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  MapWriter w(pk, field_count + 1);
  w.field("v", version);
  fields(w);
  return std::string(buf.data(), buf.size());
}

void read_body(const std::string& bytes, const std::string& message_name,
               const std::function<void(const MapReader&)>& read) {
  read_body(bytes, message_name, kSchemaVersion, [&](const MapReader& r, int) { read(r); });
}

int read_body(const std::string& bytes, const std::string& message_name, int max_version,
              const std::function<void(const MapReader&, int version)>& read) {
  msgpack::object_handle oh = unpack_checked(bytes, message_name);
  MapReader r(oh.get(), message_name);
  int v = r.required<int>("v");
  if (v < 1 || v > max_version)
    throw DecodeError(message_name, "v", "unsupported schema version " + std::to_string(v));
  try {
    read(r, v);
  } catch (const DecodeError&) {
    throw;
  } catch (const msgpack::type_error&) {
    throw DecodeError(message_name, "", "a field has the wrong type");
  }
  return v;
}

std::string read_bytes(const MapReader& r, const char* key, bool required) {
  const msgpack::object* o = r.find(key);
  if (o == nullptr || o->type == msgpack::type::NIL) {
    if (required) throw DecodeError(r.message_name(), key, "missing required field");
    return {};
  }
  if (o->type == msgpack::type::BIN) return std::string(o->via.bin.ptr, o->via.bin.size);
  if (o->type == msgpack::type::STR) return std::string(o->via.str.ptr, o->via.str.size);
  throw DecodeError(r.message_name(), key, "wrong type, expected bin or str");
}

}  // namespace bigpe::schemas
