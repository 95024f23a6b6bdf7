// Roles as threads: the inproc form of a topology. Each thread owns the sockets
// it creates (sockets are not thread-safe; the context is, and it is also the
// inproc transport). One stop signal for the group: the outer one, or the
// first role that fails.
#pragma once

#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace common {

class thread_group {
public:
    // The group stops when `outer` does.
    explicit thread_group(std::stop_token outer = {});
    ~thread_group();
    thread_group(const thread_group&) = delete;
    thread_group& operator=(const thread_group&) = delete;

    void spawn(std::string name, std::function<void(std::stop_token)> role);
    void request_stop() { source_.request_stop(); }
    std::stop_token token() const { return source_.get_token(); }

    // Joins every thread; rethrows the first failure as "NAME: what".
    void wait();

private:
    std::stop_source source_;
    std::optional<std::stop_callback<std::function<void()>>> link_;
    std::mutex mutex_;
    std::exception_ptr failure_;
    std::string failed_role_;
    std::vector<std::jthread> threads_;
};

}  // namespace common
