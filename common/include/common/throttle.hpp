// Rate-limited reporting for events an outside peer can repeat at will (a
// refused subscription, a wrong password, a failed handshake, an HTTP request
// turned away): the first one of a kind is reported, the rest within the
// interval are only counted, and the next report says how many were
// suppressed. One peer can then never flood the log or slow the loop down.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

namespace common {

class throttle {
public:
    using clock = std::chrono::steady_clock;
    explicit throttle(clock::duration interval = std::chrono::seconds(1)) : interval_(interval) {}

    // nullopt: stay quiet (counted). Otherwise report now; the value is how
    // many were suppressed since the last report (0 for the first).
    std::optional<std::uint64_t> allow(clock::time_point now = clock::now())
    {
        std::lock_guard lock(mutex_);
        if (reported_ && now - last_ < interval_) {
            ++suppressed_;
            return std::nullopt;
        }
        reported_ = true;
        last_ = now;
        return std::exchange(suppressed_, 0);
    }

private:
    std::mutex mutex_;
    clock::duration interval_;
    clock::time_point last_{};
    bool reported_ = false;
    std::uint64_t suppressed_ = 0;
};

}  // namespace common
