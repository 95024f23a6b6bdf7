#include "endpoints.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

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

std::string fresh_endpoint(const std::string& transport, const private_dir& dir, const std::string& name)
{
    static std::atomic<unsigned> next{0};
    if (transport == "tcp") return any_tcp;
    if (transport == "ipc") return dir.ipc(name);
    if (transport == "inproc") return "inproc://" + name + "-" + std::to_string(next++);
    throw std::invalid_argument("unknown transport " + transport);
}

}  // namespace support
