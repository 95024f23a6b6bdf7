// workflow-ventilator: PUSH binds for the workers' tasks (default tcp://*:5560),
// PULL binds for the sink's feedback (tcp://*:5562), PUB binds for control
// (tcp://*:5563). Waits for workers to say HELLO, then hands out the batch,
// keeping about 100 ms of work queued ahead of the workers; sends a task again
// when its result is late; when the sink has counted every task, PUBlishes END
// every 100 ms until every worker, then the sink, has said BYE.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "common/stop.hpp"
#include "protocol.hpp"
#include "workflow.hpp"

namespace workflow {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr auto tick = 50ms;                     // how often to measure the rate and look for late tasks
constexpr int ticks_of_lookahead = 2;           // keep about 2 ticks (100 ms) of work in flight...
constexpr std::uint32_t min_in_flight_per_worker = 2;  // ...and never less than 2 tasks per worker
constexpr auto end_repeat = 100ms;              // END again this often: a SUB may connect late
constexpr auto bye_wait = 3s;                   // a peer silent this long after END counts as gone

void add_options(common::program& prog, ventilator_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    prog.add_endpoints("--tasks", opts.tasks, "workflow-tasks", common::side::bind, "Where workers connect for tasks (PUSH)");
    prog.add_endpoints("--feedback", opts.feedback, "workflow-feedback", common::side::bind, "Where the sink connects to report progress (PULL)");
    prog.add_endpoints("--control", opts.control, "workflow-control", common::side::bind, "Where workers and the sink connect to hear END (PUB)");
    app.add_option("-n,--batch", opts.batch, "Tasks in the batch (option positions to value)")->check(CLI::Range(1U, max_tasks));
    app.add_option("--paths", opts.paths, "Monte Carlo paths per task: the work in each task")->check(CLI::Range(1U, max_paths));
    app.add_option("--seed", opts.seed, "Which book of positions: the same seed gives the same result");
    app.add_option("-w,--workers", opts.workers, "Start the batch when this many workers have said HELLO...")->check(CLI::Range(1U, 10'000U));
    app.add_option("--join-wait", opts.join_wait, "...or after this many seconds, with whoever is there")->check(CLI::NonNegativeNumber)->type_name("S");
    app.add_option("--retry-after", opts.retry_after, "Send a task again when its result is this many seconds late (or 3x the usual round trip, if longer)")
        ->check(CLI::PositiveNumber)->type_name("S");
}

namespace {

std::chrono::milliseconds seconds(double s) { return std::chrono::milliseconds(static_cast<long long>(s * 1000)); }

class ventilator {
public:
    ventilator(zmq::context_t& ctx, const ventilator_options& opts, std::stop_token stop)
        : opts_(opts), stop_(stop), out_(opts.role.name, opts.role.quiet),
          tasks_(ctx, zmq::socket_type::push), feedback_(ctx, zmq::socket_type::pull),
          control_(ctx, zmq::socket_type::pub),
          batch_(static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() / 1ns)),
          sent_at_(opts.batch), done_(opts.batch, false)
    {
        monitors_[0] = common::monitor_if(opts.role.monitor, ctx, tasks_, "tasks", out_);
        monitors_[1] = common::monitor_if(opts.role.monitor, ctx, feedback_, "feedback", out_);
        // A subscription over 512 bytes cuts its peer off (common/subscriptions.hpp).
        monitors_[2] = common::limit_untrusted(ctx, control_, common::max_subscription_bytes, "control", out_, opts.role.monitor);
        for (const auto& ep : opts.tasks) out_.info("tasks on ", common::bind(tasks_, ep));
        for (const auto& ep : opts.feedback) out_.info("feedback on ", common::bind(feedback_, ep));
        for (const auto& ep : opts.control) out_.info("control on ", common::bind(control_, ep));
        for (std::uint32_t id = 0; id < opts.batch; ++id) to_send_.push_back(id);
    }

    // Workers announce themselves: wait for the expected number, or until the
    // join wait is over and at least one is here. False when stopped.
    bool wait_for_workers()
    {
        out_.info("batch of ", opts_.batch, " tasks x ", opts_.paths, " paths (seed ", opts_.seed, "): waiting for ",
                  opts_.workers, opts_.workers == 1 ? " worker" : " workers", " (up to ", opts_.join_wait, " s)");
        const auto deadline = clock::now() + seconds(opts_.join_wait);
        std::vector<zmq::message_t> msg;
        while (workers_.size() < opts_.workers) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
            if (left <= 0ms && !workers_.empty()) {
                out_.info("join wait over: starting with ", workers_.size(), " of ", opts_.workers, " workers");
                return true;
            }
            if (common::recv(feedback_, msg, stop_, left > 0ms ? left : common::forever)) on_feedback(msg);
            else if (stop_.stop_requested()) return false;
        }
        out_.info("all ", workers_.size(), workers_.size() == 1 ? " worker is" : " workers are", " here: starting");
        return true;
    }

    // Sends tasks while the window allows, takes DONE and HELLO as they come,
    // sends late tasks again. True when the sink has counted every task.
    bool hand_out_batch()
    {
        start_ = clock::now();
        auto next_tick = start_ + tick;
        std::vector<zmq::message_t> msg;
        while (done_count_ < opts_.batch) {
            zmq::pollitem_t items[] = {{feedback_.handle(), 0, ZMQ_POLLIN, 0}, {tasks_.handle(), 0, ZMQ_POLLOUT, 0}};
            const auto left = std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(next_tick - clock::now()));
            if (!common::poll(std::span(items, can_send() ? 2 : 1), stop_, left) && stop_.stop_requested()) return false;
            // Whatever feedback is queued, then whatever tasks fit.
            while (common::recv(feedback_, msg, stop_, 0ms)) on_feedback(msg);
            send_what_fits();
            if (clock::now() >= next_tick) {
                on_tick();
                next_tick += tick;
            }
        }
        return true;
    }

    // END, again every 100 ms (a SUB that connects late still hears it), until
    // every worker has said BYE (the sink passes theirs on), then until the
    // sink has said its own. A peer silent for 3 s counts as gone.
    void tell_everyone_to_leave()
    {
        const auto complete = clock::now();
        out_.summary("batch complete: ", opts_.batch, " tasks in ", since(start_), "; ", sends_, " sends (",
                     sends_ - opts_.batch, " again) to ", workers_.size(), workers_.size() == 1 ? " worker" : " workers",
                     "; sending END");
        auto phase = complete, next_end = complete;
        bool sink_phase = false;
        std::vector<std::string> gone;  // workers silent after END
        std::vector<zmq::message_t> msg;
        while (!stop_.stop_requested()) {
            const auto now = clock::now();
            if (!sink_phase && (silent_workers().empty() || now - phase >= bye_wait)) {
                for (auto& name : silent_workers()) {
                    out_.warn("no BYE from ", name, " ", bye_wait / 1s, " s after END: counted as gone");
                    gone.push_back(name);
                }
                sink_phase = true;  // now END says "waiting 0": the sink may leave
                phase = next_end = now;
            }
            if (sink_phase && sink_bye_) break;
            if (sink_phase && now - phase >= bye_wait) {
                out_.warn("no BYE from the sink ", bye_wait / 1s, " s after END: counted as gone");
                break;
            }
            if (now >= next_end) {
                auto e = encode(end{batch_, sink_phase ? 0 : static_cast<std::uint32_t>(silent_workers().size())});
                common::send(control_, e, stop_);  // PUB never blocks: its mute state drops
                next_end = now + end_repeat;
            }
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(std::min(next_end, phase + bye_wait) - now);
            if (common::recv(feedback_, msg, stop_, std::max(left, 0ms))) on_feedback(msg);
        }
        if (stop_.stop_requested()) return out_.summary("stopped while waiting for BYE");
        out_.summary("END answered by ", workers_.size() - gone.size(), " of ", workers_.size(),
                     workers_.size() == 1 ? " worker" : " workers", sink_bye_ ? " and the sink" : ", not the sink", " in ",
                     since(complete));
    }

    void report_unfinished() const
    {
        out_.summary("stopped with ", done_count_, " of ", opts_.batch, " tasks done");
    }

private:
    static std::string since(clock::time_point t)
    {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(clock::now() - t).count());
        return text;
    }

    // Workers that said HELLO but no BYE yet, by name.
    std::vector<std::string> silent_workers() const
    {
        std::vector<std::string> names;
        for (const auto& [id, name] : workers_)
            if (!byes_.contains(id)) names.push_back(name);
        return names;
    }

    bool is_repeat(std::uint32_t id) const { return sent_at_[id] != clock::time_point{}; }

    // A repeat always goes; a first send waits for room in the window.
    bool can_send() const
    {
        return !to_send_.empty() && (is_repeat(to_send_.front()) || in_flight_ < window_);
    }

    void send_what_fits()
    {
        // slide: workflow-ventilator-send
        while (can_send()) {
            const auto id = to_send_.front();
            auto t = make_task(opts_.seed, id, opts_.batch, opts_.paths);
            t.batch = batch_;
            auto msg = encode(t);
            // PUSH round-robins over the connected workers; with none, or all
            // of them full, it is in its mute state: it would block, so wait.
            if (!common::send(tasks_, msg, stop_, 0ms)) return;
            to_send_.pop_front();
            if (!is_repeat(id)) ++in_flight_;
            sent_at_[id] = clock::now();
            sent_log_.push_back({id, sent_at_[id]});
            ++sends_;
        }
        // end slide
    }

    void on_feedback(const std::vector<zmq::message_t>& msg)
    {
        const auto type = type_of(msg);
        if (type == hello_type) {
            auto h = decode_hello(msg);
            if (!h) return out_.warn("dropped a malformed HELLO: ", h.error());
            if (!workers_.try_emplace(h->worker, h->name).second) return;  // an idle worker, saying HELLO again
            out_.info(h->name, " joined", start_ == clock::time_point{} ? "" : " mid-batch", ": ", workers_.size(),
                      workers_.size() == 1 ? " worker" : " workers");
            window_ = std::max(window_, min_in_flight_per_worker * static_cast<std::uint32_t>(workers_.size()));
        } else if (type == done_type) {
            auto d = decode_done(msg);
            if (!d) return out_.warn("dropped a malformed DONE: ", d.error());
            if (d->batch != batch_) return;  // from an earlier run of the ventilator
            const auto now = clock::now();
            for (auto id : d->ids) mark_done(id, now);
            // Grow the window as DONEs come in; each tick sets it from the rate.
            window_ = std::max(window_, done_this_tick_ * ticks_of_lookahead);
        } else if (type == bye_type) {
            auto b = decode_bye(msg);
            if (!b) return out_.warn("dropped a malformed BYE: ", b.error());
            if (b->batch != batch_ && b->batch != 0) return;  // an answer to an earlier run's END
            if (b->peer == sink_id) sink_bye_ = b->batch == batch_;
            else byes_.insert(b->peer);
        } else {
            out_.warn("dropped a malformed message: unknown type '", common::printable(type), "' on the feedback socket");
        }
    }

    void mark_done(std::uint32_t id, clock::time_point now)
    {
        if (id >= opts_.batch) return out_.warn("ignored DONE for unknown task id ", id);
        if (!is_repeat(id)) return out_.warn("ignored DONE for task ", id, ", which was never sent");
        if (done_[id]) return;  // the sink counted a duplicate and said so again
        done_[id] = true;
        ++done_count_;
        --in_flight_;
        ++done_this_tick_;
        // Smoothed round trip, as TCP does: late means much later than usual.
        const auto sample = now - sent_at_[id];
        round_trip_ = round_trip_ == clock::duration{} ? sample : (7 * round_trip_ + sample) / 8;
    }

    void on_tick()
    {
        // Window: about 100 ms of work at the rate tasks come back.
        const auto per_worker = min_in_flight_per_worker * static_cast<std::uint32_t>(workers_.size());
        window_ = std::max(per_worker, done_this_tick_ * ticks_of_lookahead);
        done_this_tick_ = 0;

        // Late tasks: the oldest sends are at the front of the log.
        const auto late_after = std::max<clock::duration>(seconds(opts_.retry_after), 3 * round_trip_);
        std::vector<std::uint32_t> late;
        while (!sent_log_.empty()) {
            const auto [id, when] = sent_log_.front();
            if (done_[id] || sent_at_[id] != when) { sent_log_.pop_front(); continue; }  // answered, or sent again since
            if (clock::now() - when < late_after) break;
            sent_log_.pop_front();
            late.push_back(id);
        }
        if (late.empty()) return;
        to_send_.insert(to_send_.begin(), late.begin(), late.end());
        char after[32];
        std::snprintf(after, sizeof after, "%.1f s", std::chrono::duration<double>(late_after).count());
        std::string ids;
        for (std::size_t i = 0; i < std::min<std::size_t>(late.size(), 8); ++i) ids += " " + std::to_string(late[i]);
        out_.warn(late.size(), late.size() == 1 ? " task" : " tasks", " with no result after ", after,
                  ", sending again:", ids, late.size() > 8 ? " ..." : "");
    }

    const ventilator_options& opts_;
    std::stop_token stop_;
    common::console out_;
    zmq::socket_t tasks_, feedback_, control_;
    std::unique_ptr<common::socket_monitor> monitors_[3];
    const std::uint64_t batch_;  // the start time: a restarted ventilator's batch is newer

    std::map<std::uint64_t, std::string> workers_;  // id -> name
    std::set<std::uint64_t> byes_;                  // workers that said BYE
    bool sink_bye_ = false;
    std::vector<clock::time_point> sent_at_;        // per task; {} until first sent
    std::vector<bool> done_;
    std::deque<std::uint32_t> to_send_;             // repeats first, then the rest in order
    struct sent_entry { std::uint32_t id; clock::time_point when; };
    std::deque<sent_entry> sent_log_;               // every send, oldest first
    std::uint32_t in_flight_ = 0, done_count_ = 0, done_this_tick_ = 0;
    std::uint32_t window_ = min_in_flight_per_worker;
    std::uint64_t sends_ = 0;
    clock::duration round_trip_{};
    clock::time_point start_{};
};

}  // namespace

void run_ventilator(zmq::context_t& ctx, const ventilator_options& opts, std::stop_token stop)
{
    ventilator v(ctx, opts, stop);
    if (v.wait_for_workers() && v.hand_out_batch()) v.tell_everyone_to_leave();
    else v.report_unfinished();
}

}  // namespace workflow
