/*
 * errors.c - static descriptions of hiveha_status codes.
 */
#include <hiveha/common.h>

const char *hiveha_strerror(int status)
{
	switch (status) {
	case HIVEHA_OK: return "success";
	case HIVEHA_ERROR: return "generic failure";
	case HIVEHA_EINVAL: return "invalid argument";
	case HIVEHA_ENOMEM: return "out of memory";
	case HIVEHA_EVERSION: return "unsupported interface or config version";
	case HIVEHA_ENOTIMPL: return "not implemented in this build";
	case HIVEHA_ENOTFOUND: return "not found";
	case HIVEHA_ESTORE: return "store failure";
	case HIVEHA_ETRANSPORT: return "transport failure";
	case HIVEHA_ETIMEOUT: return "timed out";
	case HIVEHA_EPROTOCOL: return "malformed or unsupported protocol message";
	case HIVEHA_EAUTH: return "authentication failed";
	case HIVEHA_ELIMIT: return "size or count limit exceeded";
	case HIVEHA_ECANCELLED: return "cancelled";
	case HIVEHA_ESTATE: return "invalid in the current state";
	case HIVEHA_EPARSE: return "malformed text input";
	case HIVEHA_ERANGE: return "value out of range";
	case HIVEHA_EUSER: return "stopped by a host callback";
	case HIVEHA_EWRITE: return "the reply writer failed";
	}
	return "unknown status";
}
