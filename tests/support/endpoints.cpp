#include "endpoints.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace support {

private_dir::private_dir()
{
    std::string templ = (std::filesystem::temp_directory_path() / "bb-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

private_dir::~private_dir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

void use_private_default_endpoints()
{
    static const private_dir dir;  // lives as long as the test process
    // Slots of 20 ports (the defaults span 5556-5572) so that two test processes
    // never overlap, all below the kernel's ephemeral range (32768 up): there,
    // a port can be taken at any time by a socket bound to port 0 (a test's
    // tcp://127.0.0.1:*) or by an outgoing connection.
    ::setenv("BB_PORT_OFFSET", std::to_string(10000 + ::getpid() % 850 * 20).c_str(), 1);
    ::setenv("BB_IPC_DIR", dir.path().c_str(), 1);
}

std::string fresh_endpoint(const std::string& transport, const private_dir& dir, const std::string& name)
{
    static std::atomic<unsigned> next{0};
    if (transport == "tcp") return any_tcp;
    if (transport == "ipc") return dir.ipc(name);
    if (transport == "inproc") return "inproc://" + name + "-" + std::to_string(next++);
    throw std::invalid_argument("unknown transport " + transport);
}

}  // namespace support
