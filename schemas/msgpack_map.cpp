#include "schemas/msgpack_map.h"

namespace bigpe::schemas {

MapReader::MapReader(const msgpack::object& obj, std::string message_name)
    : name_(std::move(message_name)) {
  if (obj.type != msgpack::type::MAP) throw DecodeError(name_, "", "body is not a map");
  fields_.reserve(obj.via.map.size);
  for (uint32_t i = 0; i < obj.via.map.size; ++i) {
    const msgpack::object_kv& kv = obj.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR) continue;  // non-string keys are unknown keys
    fields_.emplace_back(std::string_view(kv.key.via.str.ptr, kv.key.via.str.size), &kv.val);
  }
}

const msgpack::object* MapReader::find(const char* key) const {
  const std::string_view k(key);
  // From the back: of duplicate keys the last one counts.
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it)
    if (it->first == k) return it->second;
  return nullptr;
}

std::vector<const msgpack::object*> MapReader::array(const char* key, bool required) const {
  std::vector<const msgpack::object*> out;
  const msgpack::object* o = find(key);
  if (o == nullptr || o->type == msgpack::type::NIL) {
    if (required) throw DecodeError(name_, key, "missing required field");
    return out;
  }
  if (o->type != msgpack::type::ARRAY) throw DecodeError(name_, key, "wrong type, expected array");
  for (uint32_t i = 0; i < o->via.array.size; ++i) out.push_back(&o->via.array.ptr[i]);
  return out;
}

msgpack::object_handle unpack_checked(const std::string& bytes, const std::string& message_name,
                                      const UnpackLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    throw DecodeError(message_name, "", "body of " + std::to_string(bytes.size()) + " bytes exceeds limit");
  try {
    std::size_t offset = 0;
    msgpack::object_handle oh = msgpack::unpack(
        bytes.data(), bytes.size(), offset, nullptr, nullptr,
        msgpack::unpack_limit(limits.max_array, limits.max_map, limits.max_str, limits.max_bin,
                              limits.max_array, limits.max_depth));
    if (offset != bytes.size()) throw DecodeError(message_name, "", "trailing bytes after body");
    return oh;
  } catch (const DecodeError&) {
    throw;
  } catch (const std::exception& e) {
    throw DecodeError(message_name, "", std::string("malformed msgpack: ") + e.what());
  }
}

}  // namespace bigpe::schemas
