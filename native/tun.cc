// synack's TUN addon: the few Linux system calls that Node cannot make by itself.
//
// Why a small N-API addon of our own rather than an FFI library: the read path must be event driven
// and batched (a libuv poll handle on the non-blocking fd, draining every ready packet into one JS
// callback), which an FFI library can only approximate by calling read() per packet from JS or
// through the thread pool. N-API is ABI stable across Node versions, needs nothing but the
// machine's g++ and Node's own headers (no download at install time), and keeps the whole native
// surface in this one file: open/attach (TUNSETIFF), address/MTU/link-up ioctls, poll, write, close.
//
// Everything here returns plain values or throws an Error whose `code` is the errno name
// ("EPERM", "ENOENT", ...) and whose `syscall` names the call, like Node's own errors.

#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

namespace {

// The largest IP packet a TUN device can hand us (IPv4 total length and IPv6 payload length are
// 16 bits; jumbograms are not used on TUN). With offloads a GSO packet is still at most this
// (the kernel's legacy GSO limit, GSO_LEGACY_MAX_SIZE, keeps tot_len meaningful).
constexpr size_t kMaxPacket = 65536;
// The virtio-net header (linux/virtio_net.h struct virtio_net_hdr, the 10-byte legacy layout the
// TUN driver uses by default; TUNSETVNETHDRSZ makes the size explicit) in front of every packet
// read or written once the device is opened with IFF_VNET_HDR. Its 16-bit fields are in the
// host's byte order (a TUN without TUNSETVNETLE uses legacy virtio, which is native-endian).
constexpr size_t kVnetHdr = 10;
// struct virtio_net_hdr, declared here because linux/virtio_net.h does not compile as C++ (a
// field is named `class`).
struct VnetHdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(VnetHdr) == kVnetHdr, "virtio_net_hdr is 10 bytes");
// Reads land straight in memory JS sees: one ArrayBuffer "arena" holds many packets, each handed
// to JS as a view, so a packet costs no malloc and no copy. An arena is never written again while
// JS can see it: when fewer than kReadSpace bytes remain a new one is started, and the old one
// lives as long as a view into it does. Its memory then goes back to a small pool (the
// ArrayBuffer's finalizer), so the next arena is memory already mapped and warm — a fresh 1 MiB
// every few packets would cost a memset and 256 page faults per MiB read.
// A vnet read starts kVnetLead bytes into an 8-aligned slot so that the packet after the header
// is 8-aligned (word-at-a-time checksums and header loads then meet aligned data).
constexpr size_t kVnetLead = (8 - kVnetHdr % 8) % 8;
constexpr size_t kReadSpace = kVnetLead + kVnetHdr + kMaxPacket;
constexpr size_t kArena = 1 << 20;
constexpr size_t kArenaPoolMax = 16;
// Per packet in the metadata array: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset.
constexpr int kMetaFields = 6;
// Packets drained per poll callback: enough to amortise the JS call, small enough that a flood
// cannot starve timers (libuv polls again on the next loop turn if more are ready).
constexpr int kDefaultBatch = 64;

const char* errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EIO: return "EIO";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOBUFS: return "ENOBUFS";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    default: return "EUNKNOWN";
  }
}

napi_value throw_errno(napi_env env, int e, const char* syscall, const std::string& what) {
  std::string msg = std::string(syscall) + " " + what + ": " + strerror(e) + " (" + errno_name(e) + ")";
  napi_value code, message, error, sc, num;
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg.c_str(), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "syscall", sc);
  napi_create_int32(env, -e, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
  return nullptr;
}

napi_value throw_type(napi_env env, const char* msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return nullptr;
}

bool get_string(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, &s[0], len + 1, &len);
  *out = s;
  return true;
}

bool get_ifname(napi_env env, napi_value v, std::string* out) {
  if (!get_string(env, v, out) || out->empty() || out->size() >= IFNAMSIZ) {
    throw_type(env, "interface name must be a string of 1 to 15 bytes");
    return false;
  }
  return true;
}

// Arena memory no ArrayBuffer owns any more, shared by every poller of the process (a finalizer
// may run after its poller is gone, and addons may be loaded by worker threads: hence the lock).
struct ArenaPool {
  std::mutex mu;
  std::vector<void*> free_blocks;
};
ArenaPool& arena_pool() {
  static ArenaPool* pool = new ArenaPool();  // never destroyed: finalizers may run at exit
  return *pool;
}

void* arena_take() {
  ArenaPool& pool = arena_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    if (!pool.free_blocks.empty()) {
      void* b = pool.free_blocks.back();
      pool.free_blocks.pop_back();
      return b;
    }
  }
  return malloc(kArena);
}

void arena_give_back(napi_env, void* data, void*) {
  ArenaPool& pool = arena_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    if (pool.free_blocks.size() < kArenaPoolMax) {
      pool.free_blocks.push_back(data);
      return;
    }
  }
  free(data);
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// open(name, vnetHdr?): opens /dev/net/tun and creates (or attaches to) the layer-3 device `name`
// (IFF_TUN, IFF_NO_PI: each read/write is exactly one IP packet, no 4-byte packet-info header).
// With vnetHdr every read and write carries a virtio-net header first (IFF_VNET_HDR), the
// channel for checksum and segmentation offloads (setOffload).
// Returns { fd, name } with the kernel's name for the device (name may hold a %d template).
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name;
  if (argc < 1 || !get_ifname(env, argv[0], &name)) return nullptr;
  bool vnet = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &vnet);

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "open", "/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "ioctl(TUNSETIFF)", name);
  }
  if (vnet) {
    int size = static_cast<int>(kVnetHdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) {
      int e = errno;
      close(fd);
      return throw_errno(env, e, "ioctl(TUNSETVNETHDRSZ)", name);
    }
  }
  napi_value result, vfd, vname;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &vfd);
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &vname);
  napi_set_named_property(env, result, "fd", vfd);
  napi_set_named_property(env, result, "name", vname);
  return result;
}

// Runs one SIOC* ioctl on a throwaway datagram socket of the given family.
int if_ioctl(int family, unsigned long req, void* arg) {
  int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  int rc = ioctl(s, req, arg);
  int e = rc < 0 ? errno : 0;
  close(s);
  return e;
}

// setUp(name, up): sets or clears IFF_UP (like `ip link set NAME up|down`).
napi_value SetUp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name;
  if (argc < 2 || !get_ifname(env, argv[0], &name)) return nullptr;
  bool up = false;
  napi_get_value_bool(env, argv[1], &up);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  int e = if_ioctl(AF_INET, SIOCGIFFLAGS, &ifr);
  if (e) return throw_errno(env, e, "ioctl(SIOCGIFFLAGS)", name);
  if (up)
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  else
    ifr.ifr_flags &= ~IFF_UP;
  e = if_ioctl(AF_INET, SIOCSIFFLAGS, &ifr);
  if (e) return throw_errno(env, e, "ioctl(SIOCSIFFLAGS)", name);
  return undefined(env);
}

// setMtu(name, mtu)
napi_value SetMtu(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name;
  if (argc < 2 || !get_ifname(env, argv[0], &name)) return nullptr;
  int32_t mtu = 0;
  if (napi_get_value_int32(env, argv[1], &mtu) != napi_ok) return throw_type(env, "mtu must be a number");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_mtu = mtu;
  int e = if_ioctl(AF_INET, SIOCSIFMTU, &ifr);
  if (e) return throw_errno(env, e, "ioctl(SIOCSIFMTU)", name);
  return undefined(env);
}

// setAddress4(name, address, prefixLength): the kernel side's IPv4 address and netmask (the
// kernel then routes the subnet to the device).
napi_value SetAddress4(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name, addr;
  if (argc < 3 || !get_ifname(env, argv[0], &name)) return nullptr;
  if (!get_string(env, argv[1], &addr)) return throw_type(env, "address must be a string");
  int32_t prefix = 0;
  napi_get_value_int32(env, argv[2], &prefix);
  if (prefix < 0 || prefix > 32) return throw_type(env, "IPv4 prefix length must be 0..32");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  struct sockaddr_in* sin = reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_addr);
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, addr.c_str(), &sin->sin_addr) != 1) return throw_type(env, "not an IPv4 address");
  int e = if_ioctl(AF_INET, SIOCSIFADDR, &ifr);
  if (e) return throw_errno(env, e, "ioctl(SIOCSIFADDR)", name + " " + addr);
  memset(&ifr.ifr_netmask, 0, sizeof ifr.ifr_netmask);
  sin = reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_netmask);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(prefix == 0 ? 0 : 0xffffffffu << (32 - prefix));
  e = if_ioctl(AF_INET, SIOCSIFNETMASK, &ifr);
  if (e) return throw_errno(env, e, "ioctl(SIOCSIFNETMASK)", name);
  return undefined(env);
}

// The kernel's struct in6_ifreq (linux/ipv6.h), declared here because that header clashes with
// glibc's netinet/in.h.
struct In6Ifreq {
  struct in6_addr addr;
  uint32_t prefixlen;
  int ifindex;
};

// setAddress6(name, address, prefixLength): adds an IPv6 address (SIOCSIFADDR on an AF_INET6
// socket, which adds rather than replaces).
napi_value SetAddress6(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name, addr;
  if (argc < 3 || !get_ifname(env, argv[0], &name)) return nullptr;
  if (!get_string(env, argv[1], &addr)) return throw_type(env, "address must be a string");
  int32_t prefix = 0;
  napi_get_value_int32(env, argv[2], &prefix);
  if (prefix < 0 || prefix > 128) return throw_type(env, "IPv6 prefix length must be 0..128");
  In6Ifreq req;
  memset(&req, 0, sizeof req);
  if (inet_pton(AF_INET6, addr.c_str(), &req.addr) != 1) return throw_type(env, "not an IPv6 address");
  req.prefixlen = static_cast<uint32_t>(prefix);
  req.ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (req.ifindex == 0) return throw_errno(env, errno, "if_nametoindex", name);
  int e = if_ioctl(AF_INET6, SIOCSIFADDR, &req);
  if (e && e != EEXIST) return throw_errno(env, e, "ioctl(SIOCSIFADDR)", name + " " + addr);
  return undefined(env);
}

// write(fd, packet): one IP packet to the device, synchronously (the fd is non-blocking). Returns
// the bytes written, or a negative errno for EAGAIN/ENOBUFS (the caller queues and waits for
// `writable`); other errors are returned negative as well so that a send path never throws.
napi_value Write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "fd must be a number");
  void* data = nullptr;
  size_t len = 0;
  bool is_typed = false;
  napi_is_typedarray(env, argv[1], &is_typed);
  if (!is_typed) return throw_type(env, "packet must be a Uint8Array");
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, argv[1], &type, &len, &data, &ab, &offset);
  if (type != napi_uint8_array) return throw_type(env, "packet must be a Uint8Array");
  ssize_t n;
  do {
    n = write(fd, data, len);
  } while (n < 0 && errno == EINTR);
  napi_value r;
  napi_create_int32(env, n < 0 ? -errno : static_cast<int32_t>(n), &r);
  return r;
}

// setOffload(fd, flags): TUNSETOFFLOAD — which offloads this reader accepts from the kernel
// (TUN_F_CSUM: packets with a partial checksum; TUN_F_TSO4/6: GSO packets of up to 64 KiB). The
// kernel then gives the device NETIF_F_HW_CSUM / TSO and stops summing and segmenting for it.
// Throws (EINVAL from a kernel that does not know a flag); the caller falls back.
napi_value SetOffload(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  uint32_t flags = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "fd must be a number");
  if (napi_get_value_uint32(env, argv[1], &flags) != napi_ok) return throw_type(env, "flags must be a number");
  if (ioctl(fd, TUNSETOFFLOAD, static_cast<unsigned long>(flags)) < 0)
    return throw_errno(env, errno, "ioctl(TUNSETOFFLOAD)", "tun");
  return undefined(env);
}

bool get_bytes(napi_env env, napi_value v, void** data, size_t* len) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, len, data, &ab, &offset);
  return type == napi_uint8_array;
}

// writeVnet(fd, header, packet, rest?): one packet behind its virtio-net header (10 bytes, filled
// by the caller), in one writev so that nothing is copied. With `rest` the packet is `packet`
// followed by `rest` (scatter-gather, Linux NETIF_F_SG: the IP and TCP headers in one piece, the
// payload left where it is). Returns like write().
napi_value WriteVnet(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "fd must be a number");
  struct iovec iov[3];
  size_t hlen = 0;
  if (!get_bytes(env, argv[1], &iov[0].iov_base, &hlen) || hlen != kVnetHdr)
    return throw_type(env, "header must be a 10-byte Uint8Array");
  iov[0].iov_len = hlen;
  if (!get_bytes(env, argv[2], &iov[1].iov_base, &iov[1].iov_len)) return throw_type(env, "packet must be a Uint8Array");
  int count = 2;
  if (argc >= 4) {
    napi_valuetype t;
    napi_typeof(env, argv[3], &t);
    if (t != napi_undefined && t != napi_null) {
      if (!get_bytes(env, argv[3], &iov[2].iov_base, &iov[2].iov_len)) return throw_type(env, "rest must be a Uint8Array");
      count = 3;
    }
  }
  ssize_t n;
  do {
    n = writev(fd, iov, count);
  } while (n < 0 && errno == EINTR);
  napi_value r;
  // The caller counts packet bytes: the header is not part of the packet.
  napi_create_int32(env, n < 0 ? -errno : static_cast<int32_t>(n - static_cast<ssize_t>(hlen)), &r);
  return r;
}

// A poll handle on the device fd: reads are drained in batches and delivered as one array.
struct Poller {
  uv_poll_t handle;
  napi_env env;
  napi_ref on_packets;
  napi_ref on_writable;
  napi_async_context async_ctx;
  int fd;
  int batch;
  int events;
  bool closing;
  // The Poller is freed once both the libuv handle is closed and the JS external is collected.
  bool handle_closed;
  bool external_gone;
  // The device was opened with IFF_VNET_HDR: every read starts with a virtio-net header.
  bool vnet;
  // The current read arena (a JS ArrayBuffer we hold a reference to) and the next free byte.
  napi_ref arena_ref;
  unsigned char* arena;
  size_t arena_pos;
  // vnet: the header fields of the batch's packets (kMetaFields each), a Uint16Array shared with
  // JS and rewritten before every callback.
  napi_ref meta_ref;
  uint16_t* meta;
};

// Room for one more read in the arena, starting a new arena when the current one is short of it.
bool ensure_arena(Poller* p) {
  if (p->arena != nullptr && kArena - p->arena_pos >= kReadSpace) return true;
  if (p->arena_ref != nullptr) napi_delete_reference(p->env, p->arena_ref);
  p->arena_ref = nullptr;
  p->arena = nullptr;
  napi_value ab;
  void* data = arena_take();
  if (data == nullptr) return false;
  if (napi_create_external_arraybuffer(p->env, data, kArena, arena_give_back, nullptr, &ab) != napi_ok) {
    // A runtime that allows no external buffers (a V8 sandbox): JS-allocated arenas, unpooled.
    arena_give_back(p->env, data, nullptr);
    if (napi_create_arraybuffer(p->env, kArena, &data, &ab) != napi_ok) return false;
  }
  napi_create_reference(p->env, ab, 1, &p->arena_ref);
  p->arena = static_cast<unsigned char*>(data);
  p->arena_pos = 0;
  return true;
}

void call_js(Poller* p, napi_ref fn_ref, size_t argc, napi_value* argv) {
  napi_value fn, recv, result;
  napi_get_reference_value(p->env, fn_ref, &fn);
  napi_get_global(p->env, &recv);
  // napi_make_callback runs the microtask queue afterwards, as any libuv-driven callback should.
  napi_status st = napi_make_callback(p->env, p->async_ctx, recv, fn, argc, argv, &result);
  if (st == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(p->env, &exc);
    napi_fatal_exception(p->env, exc);
  }
}

void on_poll(uv_poll_t* handle, int status, int events) {
  Poller* p = static_cast<Poller*>(handle->data);
  if (p->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(p->env, &scope);
  if (status < 0) {
    // A poll error (e.g. the device went away): report as an empty batch with an error code.
    napi_value arr, err;
    napi_create_array_with_length(p->env, 0, &arr);
    napi_create_int32(p->env, status, &err);
    napi_value argv[2] = {arr, err};
    call_js(p, p->on_packets, 2, argv);
  } else {
    if (events & UV_READABLE) {
      napi_value arr;
      napi_create_array(p->env, &arr);
      uint32_t count = 0;
      int err = 0;
      napi_value ab = nullptr;
      while (count < static_cast<uint32_t>(p->batch)) {
        if (!ensure_arena(p)) {
          err = -ENOMEM;
          break;
        }
        size_t lead = p->vnet ? kVnetLead : 0;
        unsigned char* at = p->arena + p->arena_pos + lead;
        ssize_t n = read(p->fd, at, kReadSpace - lead);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno != EAGAIN) err = -errno;
          break;
        }
        if (n == 0) break;
        size_t skip = p->vnet ? kVnetHdr : 0;
        if (static_cast<size_t>(n) <= skip) {
          // A read shorter than the header carries no packet (cannot happen on a sane kernel).
          err = -EIO;
          continue;
        }
        if (p->vnet) {
          VnetHdr h;
          memcpy(&h, at, sizeof h);
          uint16_t* m = p->meta + count * kMetaFields;
          m[0] = h.flags;
          m[1] = h.gso_type;
          m[2] = h.hdr_len;
          m[3] = h.gso_size;
          m[4] = h.csum_start;
          m[5] = h.csum_offset;
        }
        if (ab == nullptr) napi_get_reference_value(p->env, p->arena_ref, &ab);
        napi_value view;
        napi_create_typedarray(p->env, napi_uint8_array, static_cast<size_t>(n) - skip, ab,
                               p->arena_pos + lead + skip, &view);
        napi_set_element(p->env, arr, count++, view);
        // Every slot starts 8-aligned (see kVnetLead).
        p->arena_pos = (p->arena_pos + lead + static_cast<size_t>(n) + 7) & ~static_cast<size_t>(7);
        if (kArena - p->arena_pos < kReadSpace) ab = nullptr;
      }
      if (count > 0 || err != 0) {
        napi_value e, meta;
        napi_create_int32(p->env, err, &e);
        if (p->vnet)
          napi_get_reference_value(p->env, p->meta_ref, &meta);
        else
          napi_get_null(p->env, &meta);
        napi_value argv[3] = {arr, e, meta};
        call_js(p, p->on_packets, 3, argv);
      }
    }
    if (!p->closing && (events & UV_WRITABLE) && p->on_writable != nullptr) {
      call_js(p, p->on_writable, 0, nullptr);
    }
  }
  napi_close_handle_scope(p->env, scope);
}

void on_close(uv_handle_t* handle) {
  Poller* p = static_cast<Poller*>(handle->data);
  p->handle_closed = true;
  if (p->external_gone) delete p;
}

void begin_close(napi_env env, Poller* p) {
  if (p->closing) return;
  p->closing = true;
  uv_poll_stop(&p->handle);
  napi_delete_reference(env, p->on_packets);
  if (p->on_writable) napi_delete_reference(env, p->on_writable);
  p->on_writable = nullptr;
  napi_async_destroy(env, p->async_ctx);
  if (p->arena_ref) napi_delete_reference(env, p->arena_ref);
  p->arena_ref = nullptr;
  p->arena = nullptr;
  if (p->meta_ref) napi_delete_reference(env, p->meta_ref);
  p->meta_ref = nullptr;
  p->meta = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), on_close);
}

void finalize_poller(napi_env env, void* data, void*) {
  // The JS handle was collected. While polling, the references held above keep the callbacks
  // alive but not the handle object, so a forgotten poller is closed here.
  Poller* p = static_cast<Poller*>(data);
  p->external_gone = true;
  if (!p->closing) begin_close(env, p);
  else if (p->handle_closed) delete p;
}

Poller* get_poller(napi_env env, napi_value v) {
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) {
    throw_type(env, "not a poll handle");
    return nullptr;
  }
  return static_cast<Poller*>(data);
}

// poll(fd, onPackets(packets: Uint8Array[], err: number, meta: Uint16Array | null), onWritable(),
// batch?, vnet?): starts reading. With vnet (the device was opened with it) each read's
// virtio-net header is taken off the packet and its fields are in meta, kMetaFields per packet.
// Returns an opaque handle for setWritable() and stop().
napi_value Poll(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "fd must be a number");
  int32_t batch = kDefaultBatch;
  if (argc >= 4) {
    napi_valuetype t;
    napi_typeof(env, argv[3], &t);
    if (t == napi_number) napi_get_value_int32(env, argv[3], &batch);
  }
  if (batch < 1) batch = 1;
  bool vnet = false;
  if (argc >= 5) napi_get_value_bool(env, argv[4], &vnet);
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  Poller* p = new Poller();
  p->env = env;
  p->fd = fd;
  p->batch = batch;
  p->closing = false;
  p->handle_closed = false;
  p->external_gone = false;
  p->events = UV_READABLE;
  p->on_writable = nullptr;
  p->vnet = vnet;
  p->arena_ref = nullptr;
  p->arena = nullptr;
  p->arena_pos = 0;
  p->meta_ref = nullptr;
  p->meta = nullptr;
  int rc = uv_poll_init(loop, &p->handle, fd);
  if (rc != 0) {
    delete p;
    return throw_errno(env, -rc, "uv_poll_init", "tun");
  }
  napi_create_reference(env, argv[1], 1, &p->on_packets);
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t == napi_function) napi_create_reference(env, argv[2], 1, &p->on_writable);
  if (vnet) {
    napi_value mab, marr;
    void* mdata = nullptr;
    size_t fields = static_cast<size_t>(batch) * kMetaFields;
    napi_create_arraybuffer(env, fields * sizeof(uint16_t), &mdata, &mab);
    napi_create_typedarray(env, napi_uint16_array, fields, mab, 0, &marr);
    napi_create_reference(env, marr, 1, &p->meta_ref);
    p->meta = static_cast<uint16_t*>(mdata);
  }
  napi_value name;
  napi_create_string_utf8(env, "synack:tun", NAPI_AUTO_LENGTH, &name);
  napi_value resource;
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &p->async_ctx);
  p->handle.data = p;
  uv_poll_start(&p->handle, p->events, on_poll);
  napi_value ext;
  napi_create_external(env, p, finalize_poller, nullptr, &ext);
  return ext;
}

// Applies a poll mask: restarts the poll with it, or stops polling when nothing is wanted.
// setWritable and setReading each change only their own bit of it.
static void set_events(Poller* p, int events) {
  if (events == p->events) return;
  p->events = events;
  if (events == 0)
    uv_poll_stop(&p->handle);
  else
    uv_poll_start(&p->handle, events, on_poll);
}
// setWritable(handle, want): also wake on writability (while the caller has a queue to flush).
napi_value SetWritable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return throw_type(env, "setWritable(handle, want)");
  Poller* p = get_poller(env, argv[0]);
  if (!p) return nullptr;
  bool want = false;
  napi_get_value_bool(env, argv[1], &want);
  if (p->closing) return undefined(env);
  // Keep the reading half as setReading left it: a write stall must not undo read backpressure.
  set_events(p, (p->events & UV_READABLE) | (want ? UV_WRITABLE : 0));
  return undefined(env);
}

// setReading(handle, on): pause or resume reads (backpressure from the stack).
napi_value SetReading(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return throw_type(env, "setReading(handle, on)");
  Poller* p = get_poller(env, argv[0]);
  if (!p) return nullptr;
  bool on = true;
  napi_get_value_bool(env, argv[1], &on);
  if (p->closing) return undefined(env);
  set_events(p, (p->events & UV_WRITABLE) | (on ? UV_READABLE : 0));
  return undefined(env);
}

// stop(handle): stops polling and releases the handle (the fd stays open; closeFd closes it).
napi_value Stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return throw_type(env, "stop(handle)");
  Poller* p = get_poller(env, argv[0]);
  if (!p) return nullptr;
  begin_close(env, p);
  return undefined(env);
}

// closeFd(fd): closing the last fd of a non-persistent device deletes the device.
napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_type(env, "fd must be a number");
  if (close(fd) < 0) return throw_errno(env, errno, "close", "tun fd");
  return undefined(env);
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setUp", nullptr, SetUp, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setMtu", nullptr, SetMtu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setAddress4", nullptr, SetAddress4, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setAddress6", nullptr, SetAddress6, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"write", nullptr, Write, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"writeVnet", nullptr, WriteVnet, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setOffload", nullptr, SetOffload, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"poll", nullptr, Poll, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setWritable", nullptr, SetWritable, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setReading", nullptr, SetReading, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stop", nullptr, Stop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"closeFd", nullptr, CloseFd, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
