// common/file_io: the atomic writer and the whole-file readers.
#include "common/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

TEST(FileIo, WrittenBytesReadBackExactly) {
  testing::TempDir dir("file-io");
  const std::string bytes("line one\n\0binary\xff tail", 22);
  write_file_atomic(dir.file("a.bin"), bytes);
  EXPECT_EQ(read_file(dir.file("a.bin")), bytes);
}

TEST(FileIo, RewriteReplacesTheFileAndLeavesNoTemporary) {
  testing::TempDir dir("file-io");
  write_file_atomic(dir.file("run.json"), "a much longer first version of the file");
  write_file_atomic(dir.file("run.json"), "short");
  EXPECT_EQ(read_file(dir.file("run.json")), "short");
  EXPECT_FALSE(std::filesystem::exists(dir.file("run.json.tmp")));
}

TEST(FileIo, MissingFileIsNulloptOrAnErrorNamingThePath) {
  testing::TempDir dir("file-io");
  const std::string missing = dir.file("no-such-file");
  EXPECT_FALSE(try_read_file(missing).has_value());
  try {
    read_file(missing);
    FAIL() << "read_file of a missing file returned";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
}

TEST(FileIo, WriteIntoAMissingFolderFailsNamingTheFile) {
  testing::TempDir dir("file-io");
  const std::string path = dir.file("absent/run.json");
  try {
    write_file_atomic(path, "x");
    FAIL() << "write into a missing folder returned";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("absent/run.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bigpe
