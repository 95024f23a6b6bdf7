#include "common/stop.hpp"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <iterator>
#include <mutex>
#include <unistd.h>
#include <zmq_addon.hpp>

namespace common {
namespace {

// A slice of a longer wait: never longer than stop_check_interval.
int slice_ms(std::chrono::steady_clock::time_point deadline, bool has_deadline)
{
    auto slice = stop_check_interval;
    if (has_deadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        slice = std::clamp(left, 0ms, slice);
    }
    return static_cast<int>(slice.count());
}

}  // namespace

bool poll(std::span<zmq::pollitem_t> items, std::stop_token stop, std::chrono::milliseconds timeout)
{
    const bool has_deadline = timeout >= 0ms;
    const auto deadline = std::chrono::steady_clock::now() + std::max(timeout, 0ms);
    while (!stop.stop_requested()) {
        const int slice = slice_ms(deadline, has_deadline);
        const int rc = zmq_poll(items.data(), static_cast<int>(items.size()), slice);
        if (rc > 0) return true;
        if (rc < 0) {
            if (zmq_errno() == ETERM) return false;
            if (zmq_errno() != EINTR) throw zmq::error_t();
        }
        if (has_deadline && std::chrono::steady_clock::now() >= deadline) return false;
    }
    return false;
}

bool recv(zmq::socket_ref socket, std::vector<zmq::message_t>& msg, std::stop_token stop,
          std::chrono::milliseconds timeout)
{
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::max(timeout, 0ms);
    for (;;) {
        msg.clear();
        try {
            // Parts of a multipart message arrive together: once the first is
            // here, the rest are too.
            if (zmq::recv_multipart(socket, std::back_inserter(msg), zmq::recv_flags::dontwait))
                return true;
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return false;
            if (e.num() != EINTR) throw;
        }
        if (timeout == 0ms) return false;  // only what was queued: no poll
        auto left = forever;
        if (timeout >= 0ms)
            left = std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (!poll({&item, 1}, stop, left)) return false;
    }
}

bool send(zmq::socket_ref socket, std::span<zmq::message_t> msg, std::stop_token stop,
          std::chrono::milliseconds timeout)
{
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLOUT, 0};
    for (std::size_t i = 0; i < msg.size();) {
        const auto flags = (i + 1 < msg.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                           zmq::send_flags::dontwait;
        try {
            if (socket.send(msg[i], flags)) {
                ++i;
                continue;
            }
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return false;
            if (e.num() != EINTR) throw;
            continue;
        }
        // Only the first part can meet a full queue: later parts always go.
        if (!poll({&item, 1}, stop, timeout)) return false;
    }
    return true;
}

bool sleep_for(std::chrono::nanoseconds how_long, std::stop_token stop)
{
    std::mutex mutex;
    std::condition_variable_any woken;
    std::unique_lock lock(mutex);
    woken.wait_for(lock, stop, how_long, [] { return false; });
    return !stop.stop_requested();
}

signal_stop::signal_stop(std::optional<std::chrono::nanoseconds> duration)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    const auto deadline = duration ? std::optional(std::chrono::steady_clock::now() + *duration) : std::nullopt;
    watcher_ = std::jthread([this, signals, deadline](std::stop_token done) {
        int received = 0;
        while (!done.stop_requested()) {
            const timespec slice{0, std::chrono::nanoseconds(stop_check_interval).count()};
            if (sigtimedwait(&signals, nullptr, &slice) > 0) {
                if (++received == 2) {
                    constexpr char bye[] = "second signal: exiting now\n";
                    [[maybe_unused]] auto n = ::write(STDERR_FILENO, bye, sizeof bye - 1);
                    ::_exit(130);
                }
                source_.request_stop();
            }
            if (deadline && std::chrono::steady_clock::now() >= *deadline) source_.request_stop();
        }
    });
}

signal_stop::~signal_stop()
{
    watcher_.request_stop();
}

}  // namespace common
