// The workflow's wire protocol. Every message has a first frame naming its
// type in ASCII text; the frames after it are fixed-width little-endian
// fields or UTF-8 text. (README.md has the frame tables.)
//
//   TASK    ventilator -> worker            PUSH -> PULL   a position to value
//   RESULT  worker -> sink                  PUSH -> PULL   its value
//   HELLO   worker -> sink -> ventilator    PUSH -> PULL   "I am here and idle"
//   DONE    sink -> ventilator              PUSH -> PULL   task ids the sink has counted
//   END     ventilator -> workers, sink     PUB -> SUB     the batch is complete: leave
//                                                          (again every 100 ms, until all said BYE)
//   BYE     worker -> sink -> ventilator    PUSH -> PULL   "I heard END" (or: "I am leaving")
//           sink -> ventilator              PUSH -> PULL   the sink's own, last
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/codec.hpp"
#include "portfolio.hpp"

namespace workflow {

constexpr std::string_view task_type = "TASK";
constexpr std::string_view result_type = "RESULT";
constexpr std::string_view hello_type = "HELLO";
constexpr std::string_view done_type = "DONE";
constexpr std::string_view end_type = "END";  // also the SUB's topic
constexpr std::string_view bye_type = "BYE";

constexpr std::size_t task_size = 76;
constexpr std::size_t result_size = 48;
constexpr std::size_t max_name_size = 64;
constexpr std::size_t max_done_ids = 1024;

// A busy worker or sink looks for END this often; its last BYE gets this long to leave.
constexpr std::chrono::milliseconds end_check_interval{10};
constexpr std::chrono::milliseconds bye_linger{200};

struct result {
    std::uint64_t batch = 0;
    std::uint32_t id = 0;
    std::uint32_t count = 0;
    std::uint64_t worker = 0;  // the worker's id, from its HELLO
    valuation v;
};

struct hello {
    std::uint64_t worker = 0;  // random, chosen by the worker at start
    std::string name;
};

// END: the batch is complete. The sink stays to pass workers' BYEs on while
// the ventilator still waits for some, and leaves on an END with waiting 0.
struct end {
    std::uint64_t batch = 0;
    std::uint32_t waiting = 0;  // workers the ventilator still waits to hear BYE from
};

// BYE: the answer to END (batch: the END's), or a worker leaving by itself (batch 0).
constexpr std::uint64_t sink_id = 0;  // the peer id of the sink's own BYE
struct bye {
    std::uint64_t batch = 0;
    std::uint64_t peer = 0;  // the worker's id (from its HELLO), or sink_id
};

struct done {
    std::uint64_t batch = 0;
    std::vector<std::uint32_t> ids;
};

// The type frame of a message, "" when there is none.
std::string_view type_of(common::frames msg);

std::array<zmq::message_t, 2> encode(const task& t);
std::array<zmq::message_t, 2> encode(const result& r);
std::array<zmq::message_t, 3> encode(const hello& h);
std::array<zmq::message_t, 2> encode(const done& d);
std::array<zmq::message_t, 2> encode(const end& e);
std::array<zmq::message_t, 2> encode(const bye& b);

common::result<task> decode_task(common::frames msg);
common::result<result> decode_result(common::frames msg);
common::result<hello> decode_hello(common::frames msg);
common::result<done> decode_done(common::frames msg);
common::result<end> decode_end(common::frames msg);
common::result<bye> decode_bye(common::frames msg);

}  // namespace workflow
