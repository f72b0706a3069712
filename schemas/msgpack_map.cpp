#include "schemas/msgpack_map.h"

namespace bigpe::schemas {

MapReader::MapReader(const msgpack::object& obj, std::string message_name)
    : name_(std::move(message_name)) {
  if (obj.type != msgpack::type::MAP) throw DecodeError(name_, "", "body is not a map");
  if (obj.via.map.size > kInlineFields) spilled_.resize(obj.via.map.size);
  Field* out = spilled_.empty() ? inline_.data() : spilled_.data();
  for (uint32_t i = 0; i < obj.via.map.size; ++i) {
    const msgpack::object_kv& kv = obj.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR) continue;  // non-string keys are unknown keys
    out[count_++] = {std::string_view(kv.key.via.str.ptr, kv.key.via.str.size), &kv.val};
  }
}

const msgpack::object* MapReader::find(const char* key) const {
  const std::string_view k(key);
  const Field* f = fields();
  // From the back: of duplicate keys the last one counts.
  for (std::size_t i = count_; i-- > 0;)
    if (f[i].first == k) return f[i].second;
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
    // Strings and bins point into `bytes` instead of being copied.
    auto reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
    msgpack::object_handle oh = msgpack::unpack(
        bytes.data(), bytes.size(), offset, reference, nullptr,
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
