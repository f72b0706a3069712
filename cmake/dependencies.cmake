# Every dependency comes from Debian 12 packages (see docs/design.md section 8).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(msgpack REQUIRED)          # target msgpackc-cxx
find_package(cppzmq REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PNG REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)       # target OpenSSL::Crypto (SHA-256)
find_package(nlohmann_json 3 REQUIRED)  # header-only, target nlohmann_json::nlohmann_json
# Debian's hiredis CMake config is broken; pkg-config works.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(ZMQ REQUIRED IMPORTED_TARGET libzmq)
# Debian's cpp-httplib is a compiled library; its .pc file carries the
# defines its header must be read with (bigpe serve, libcpp-httplib-dev).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

add_compile_definitions(MSGPACK_NO_BOOST)
