// workflow-sink: PULL binds for the workers' results (default tcp://*:5561);
// PUSH connects to the ventilator's feedback (tcp://127.0.0.1:5562), SUB to
// its control (:5563). Counts each task once, in whatever order results come,
// tells the ventilator which tasks are in (DONE) and passes HELLOs on to it;
// shows progress, then the total. On END (the ventilator's word that it has
// every DONE) it passes the workers' BYEs on, and leaves with a BYE of its own
// on the END that says no worker is still awaited. A partial count at END
// (the sink was restarted mid-batch) is a failure: exit status 3.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "progress.hpp"
#include "protocol.hpp"
#include "workflow.hpp"

namespace workflow {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr auto redraw_interval = 100ms;  // wake at least this often to draw progress
constexpr auto done_interval = 2ms;      // a DONE at most this often (or when it holds 1024 ids)
constexpr auto end_wait = 10s;           // once complete, how long to wait for END (a ventilator gone)
constexpr std::size_t max_burst = 1000;  // results taken in one go before looking at the rest

void add_options(common::program& prog, sink_options& opts)
{
    prog.add_role_options(opts.role);
    prog.add_endpoints("--results", opts.results, "workflow-results", common::side::bind, "Where workers connect to push results (PULL)");
    prog.add_endpoints("--feedback", opts.feedback, "workflow-feedback", common::side::connect, "The ventilator's feedback (PUSH)");
    prog.add_endpoints("--control", opts.control, "workflow-control", common::side::connect, "The ventilator's control, for END (SUB)");
}

namespace {

// The batch so far. Sums of integers: the same total in any order.
struct tally {
    batch_report report;
    std::vector<bool> counted;
    std::map<std::uint64_t, std::uint64_t> by_worker;  // worker id -> tasks
    std::uint32_t done = 0;
    clock::time_point first{};
    bool complete() const { return report.tasks > 0 && done == report.tasks; }
};

class sink {
public:
    sink(zmq::context_t& ctx, const sink_options& opts, std::stop_token stop)
        : opts_(opts), stop_(stop), out_(opts.role.name, opts.role.quiet), progress_(out_),
          results_(ctx, zmq::socket_type::pull), feedback_(ctx, zmq::socket_type::push),
          control_(ctx, zmq::socket_type::sub)
    {
        monitors_[0] = common::monitor_if(opts.role.monitor, ctx, results_, "results", out_);
        monitors_[1] = common::monitor_if(opts.role.monitor, ctx, feedback_, "feedback", out_);
        control_.set(zmq::sockopt::subscribe, end_type);
        for (const auto& ep : opts.control) common::connect(control_, ep);
        for (const auto& ep : opts.feedback) common::connect(feedback_, ep);
        for (const auto& ep : opts.results) out_.info("results on ", common::bind(results_, ep));
    }

    void run()
    {
        std::vector<zmq::message_t> msg;
        clock::time_point complete_at{};
        zmq::pollitem_t items[] = {{control_.handle(), 0, ZMQ_POLLIN, 0}, {results_.handle(), 0, ZMQ_POLLIN, 0}};
        auto look_for_end = clock::now();
        while (!stop_.stop_requested()) {
            // Looking at an empty socket costs a system call: every 10 ms is enough.
            if (clock::now() >= look_for_end) {
                look_for_end = clock::now() + end_check_interval;
                if (common::recv(control_, msg, stop_, 0ms) && on_end(msg)) return;
            }

            // Whatever results are queued; wait only when there are none.
            std::size_t taken = 0;
            for (; taken < max_burst && common::recv(results_, msg, stop_, 0ms); ++taken) on_message(msg);
            if (!pending_.empty() && (pending_.size() >= max_done_ids || t_.complete() || clock::now() - last_done_ >= done_interval))
                acknowledge();
            if (taken == 0 && common::poll(items, stop_, pending_.empty() ? redraw_interval : done_interval) &&
                (items[0].revents & ZMQ_POLLIN))
                look_for_end = {};

            if (t_.report.tasks == 0) continue;
            progress_.update(t_.done, t_.report.tasks, elapsed());
            if (opts_.on_progress && t_.done != progress_reported_) opts_.on_progress(progress_reported_ = t_.done, t_.report.tasks);
            if (t_.complete() && complete_at == clock::time_point{}) {
                complete_at = clock::now();
                report();
            }
            if (complete_at != clock::time_point{} && clock::now() - complete_at > end_wait)
                return out_.warn("no END from the ventilator in ", end_wait / 1s, " s: leaving anyway");
        }
        if (t_.report.tasks > 0 && !t_.complete()) out_.summary("stopped with ", t_.done, " of ", t_.report.tasks, " tasks counted");
    }

private:
    double elapsed() const { return std::chrono::duration<double>(clock::now() - t_.first).count(); }

    // True when it is time to leave: an END for this batch (or a newer one)
    // that waits for no more workers' BYEs. The sink says BYE last.
    bool on_end(const std::vector<zmq::message_t>& msg)
    {
        const auto end = decode_end(msg);
        if (!end) {
            out_.warn("dropped a malformed END: ", end.error());
            return false;
        }
        if (end->batch < t_.report.batch) return false;  // an earlier run's END
        if (end->waiting > 0) return false;              // stay: workers' BYEs are still to pass on
        auto bye_msg = encode(bye{end->batch, sink_id});
        send_feedback(bye_msg);
        feedback_.set(zmq::sockopt::linger, static_cast<int>(bye_linger / 1ms));
        if (end->batch != t_.report.batch)
            throw common::partial_result("partial result: END for a batch this sink counted no result of"
                                         " (was it restarted late in the batch?): no total");
        if (!t_.complete())
            throw common::partial_result("partial result: END came with " + std::to_string(t_.done) + " of " +
                                         std::to_string(t_.report.tasks) + " tasks counted here (was this sink"
                                         " restarted mid-batch? an earlier one counted the others): no total");
        return true;
    }

    void on_message(const std::vector<zmq::message_t>& msg)
    {
        const auto type = type_of(msg);
        if (type == result_type) {
            auto r = decode_result(msg);
            if (!r) return out_.warn("dropped a malformed result: ", r.error());
            on_result(*r);
        } else if (type == hello_type) {
            auto h = decode_hello(msg);
            if (!h) return out_.warn("dropped a malformed HELLO: ", h.error());
            names_[h->worker] = h->name;
            auto relay = encode(*h);
            send_feedback(relay);
        } else if (type == bye_type) {
            auto b = decode_bye(msg);
            if (!b) return out_.warn("dropped a malformed BYE: ", b.error());
            if (b->peer == sink_id) return out_.warn("dropped a malformed BYE: a worker's BYE with the sink's id 0");
            auto relay = encode(*b);
            send_feedback(relay);
        } else {
            out_.warn("dropped a malformed message: unknown type '", common::printable(type), "' on the results socket");
        }
    }

    void on_result(const result& r)
    {
        if (r.batch < t_.report.batch) return;  // from an earlier run of the ventilator
        if (r.batch > t_.report.batch) start_batch(r);
        if (r.count != t_.report.tasks)
            return out_.warn("dropped a malformed result: task count ", r.count, " is not this batch's ", t_.report.tasks);
        if (r.id >= t_.report.tasks) return out_.warn("ignored a result for unknown task id ", r.id);
        pending_.push_back(r.id);  // DONE again for a duplicate: its earlier DONE may have been lost
        // slide: workflow-sink-count
        if (t_.counted[r.id]) {
            ++t_.report.duplicates;
            return;
        }
        t_.counted[r.id] = true;
        ++t_.done;
        t_.report.value += r.v.value;
        t_.report.analytic += r.v.analytic;
        t_.report.variance += r.v.variance;
        ++t_.by_worker[r.worker];
        // end slide
    }

    void start_batch(const result& r)
    {
        if (t_.report.batch != 0) out_.warn("a newer batch began (was the ventilator restarted?): starting over");
        t_ = tally{};
        pending_.clear();
        t_.report.batch = r.batch;
        t_.report.tasks = r.count;
        t_.counted.assign(r.count, false);
        t_.first = clock::now();
        out_.info("batch of ", r.count, " tasks: first result in");
    }

    // One DONE for many results: far fewer messages than results.
    void acknowledge()
    {
        for (std::size_t at = 0; at < pending_.size(); at += max_done_ids) {
            const auto end = std::min(pending_.size(), at + max_done_ids);
            auto msg = encode(done{t_.report.batch, {pending_.begin() + at, pending_.begin() + end}});
            send_feedback(msg);
        }
        pending_.clear();
        last_done_ = clock::now();
    }

    // Never waits: a lost DONE only means the ventilator sends that task again.
    template <std::size_t N> void send_feedback(std::array<zmq::message_t, N>& msg)
    {
        if (!common::send(feedback_, msg, stop_, 0ms) && !feedback_full_) {
            feedback_full_ = true;
            out_.warn("the ventilator is not reading feedback: dropping it (it will send those tasks again)");
        }
    }

    void report()
    {
        auto& r = t_.report;
        r.seconds = elapsed();
        for (const auto& [id, n] : t_.by_worker) r.by_worker[names_.count(id) ? names_[id] : "worker " + std::to_string(id)] += n;
        progress_.finish(t_.done, r.tasks, r.seconds);
        const double std_error = std::sqrt(static_cast<double>(r.variance) * 1e-6);
        char line[160];
        std::snprintf(line, sizeof line, "batch complete: %u tasks in %.2f s (%.1f tasks/s), %llu duplicates ignored",
                      r.tasks, r.seconds, r.tasks / r.seconds, static_cast<unsigned long long>(r.duplicates));
        out_.summary(line);
        std::string by;
        for (const auto& [name, n] : r.by_worker) by += (by.empty() ? "" : ", ") + name + " " + std::to_string(n);
        out_.summary("tasks by worker: ", by);
        std::snprintf(line, sizeof line, "(Monte Carlo, standard error %.2f)", std_error);
        out_.summary("portfolio value ", format_micros(r.value), " ", line);
        std::snprintf(line, sizeof line, "(closed form: the estimate is %.1f standard errors off)",
                      std_error > 0 ? static_cast<double>(r.value - r.analytic) * 1e-6 / std_error : 0.0);
        out_.summary("Black-Scholes   ", format_micros(r.analytic), " ", line);
        if (opts_.on_done) opts_.on_done(r);
    }

    const sink_options& opts_;
    std::stop_token stop_;
    common::console out_;
    progress progress_;
    zmq::socket_t results_, feedback_, control_;
    std::unique_ptr<common::socket_monitor> monitors_[2];
    tally t_;
    std::map<std::uint64_t, std::string> names_;  // worker id -> name, from HELLOs
    std::vector<std::uint32_t> pending_;          // task ids for the next DONE
    clock::time_point last_done_{};
    bool feedback_full_ = false;
    std::uint32_t progress_reported_ = 0;
};

}  // namespace

void run_sink(zmq::context_t& ctx, const sink_options& opts, std::stop_token stop)
{
    sink(ctx, opts, stop).run();
}

}  // namespace workflow
