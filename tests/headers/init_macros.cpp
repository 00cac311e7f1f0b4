// The _INIT macros as C++ (see init_macros.c).
#include "init_macros.c"
