// The kernel's SocketCAN headers for the SocketCAN module, plus small shims for what Swift cannot import:
// the CMSG_* macros, and constants written as macro expressions.
#ifndef CARDIAG_CLINUXCAN_H
#define CARDIAG_CLINUXCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <poll.h>
#include <time.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <linux/can/isotp.h>
#include <linux/can/error.h>
#include <linux/can/netlink.h>
#include <linux/if_arp.h>
#include <linux/sockios.h>
#include <linux/ethtool.h>

// Socket-level constants: SOL_CAN_RAW and SOL_CAN_ISOTP are sums of macros, which Swift does not import.
static const int cardiag_sol_can_raw = SOL_CAN_RAW;
static const int cardiag_sol_can_isotp = SOL_CAN_ISOTP;
static const uint32_t cardiag_can_eff_flag = CAN_EFF_FLAG;
static const uint32_t cardiag_can_rtr_flag = CAN_RTR_FLAG;
static const uint32_t cardiag_can_err_flag = CAN_ERR_FLAG;
static const uint32_t cardiag_can_inv_filter = CAN_INV_FILTER;
static const uint32_t cardiag_can_err_mask = CAN_ERR_MASK;
static const unsigned long cardiag_siocethtool = SIOCETHTOOL;

/// The bytes a control-message buffer needs for one `struct timespec` (CMSG_SPACE).
size_t cardiag_cmsg_space_timespec(void);

/// Finds an SCM_TIMESTAMPNS control message after recvmsg and copies its time; returns 1 when found.
int cardiag_cmsg_timestamp(const struct msghdr *message, struct timespec *timestamp);

/// Finds an SO_RXQ_OVFL control message (frames the kernel dropped so far); returns 1 when found.
int cardiag_cmsg_dropped(const struct msghdr *message, uint32_t *dropped);

/// The bytes a control-message buffer needs for a timestamp and a drop counter together.
size_t cardiag_cmsg_space_receive(void);

#endif
