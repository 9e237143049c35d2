// CByteScan is header-only (include/ByteScan.h); a C target needs one source file.
#include "ByteScan.h"
