#ifndef NQI_VERSION_H
#define NQI_VERSION_H
#define NQI_VERSION "0.1.0"
#endif
