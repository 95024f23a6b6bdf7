// Compiled into every target of a ThreadSanitizer build, and only there.
//
// A message crosses threads inside libzmq (lock-free queues in code TSan does
// not instrument), so TSan cannot see that the sender's writes to a message's
// data happen before the receiver's reads. These wrappers tell it: a release
// on the data before zmq_msg_send, an acquire on it after zmq_msg_recv (the
// data pointer is the same on both sides when libzmq hands a buffer over).
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>
#include <zmq.h>

namespace {
template <class F> F real(const char* name) { return reinterpret_cast<F>(dlsym(RTLD_NEXT, name)); }
}  // namespace

extern "C" int zmq_msg_send(zmq_msg_t* msg, void* socket, int flags)
{
    static const auto send = real<int (*)(zmq_msg_t*, void*, int)>("zmq_msg_send");
    __tsan_release(zmq_msg_data(msg));
    return send(msg, socket, flags);
}

extern "C" int zmq_msg_recv(zmq_msg_t* msg, void* socket, int flags)
{
    static const auto recv = real<int (*)(zmq_msg_t*, void*, int)>("zmq_msg_recv");
    const int rc = recv(msg, socket, flags);
    if (rc >= 0) __tsan_acquire(zmq_msg_data(msg));
    return rc;
}
