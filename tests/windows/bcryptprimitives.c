/* wine 8.0 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard library
 * imports on Windows 10 and later, so tongbao.exe does not start under it (c0000135). This
 * stand-in, placed beside the .exe for the wine tests only, gives ProcessPrng from
 * SystemFunction036 (RtlGenRandom), which wine has. Real Windows has the DLL. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG len);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
