#include "common/threads.hpp"

#include <stdexcept>

namespace common {

thread_group::thread_group(std::stop_token outer)
{
    link_.emplace(outer, std::function<void()>([this] { source_.request_stop(); }));
}

thread_group::~thread_group()
{
    source_.request_stop();
    threads_.clear();  // joins
}

void thread_group::spawn(std::string name, std::function<void(std::stop_token)> role)
{
    threads_.emplace_back([this, name = std::move(name), role = std::move(role)] {
        try {
            role(source_.get_token());
        } catch (...) {
            {
                std::scoped_lock lock(mutex_);
                if (!failure_) {
                    failure_ = std::current_exception();
                    failed_role_ = name;
                }
            }
            source_.request_stop();
        }
    });
}

void thread_group::wait()
{
    for (auto& t : threads_) t.join();
    threads_.clear();
    std::scoped_lock lock(mutex_);
    if (!failure_) return;
    try {
        std::rethrow_exception(failure_);
    } catch (const std::exception& e) {
        throw std::runtime_error(failed_role_ + ": " + e.what());
    }
}

}  // namespace common
