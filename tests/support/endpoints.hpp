// Endpoints private to one test, so that ctest -j can run tests side by side:
// tcp on a port the kernel picks, ipc in a folder of the test's own.
#pragma once

#include <filesystem>
#include <string>

namespace support {

constexpr const char* any_tcp = "tcp://127.0.0.1:*";

class private_dir {
public:
    private_dir();
    ~private_dir();
    private_dir(const private_dir&) = delete;
    private_dir& operator=(const private_dir&) = delete;
    std::string ipc(const std::string& name) const { return "ipc://" + (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Moves every program's default endpoints (BB_PORT_OFFSET, BB_IPC_DIR) away
// from any demo running on this machine, for the rest of this test process
// and the programs it starts. For tests that run scripts/demo.
void use_private_default_endpoints();

// A fresh endpoint for a bind: "tcp" gives tcp://127.0.0.1:* (read the bound
// port back), "ipc" a socket file in dir, "inproc" a unique name.
std::string fresh_endpoint(const std::string& transport, const private_dir& dir, const std::string& name);

}  // namespace support
