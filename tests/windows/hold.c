/* hold: keep a file open as Excel keeps an open workbook (others may read it, not write,
 * rename over or delete it), or with --lock hold a lock on all of it as another tongbao run
 * holds the history's lock file, until standard input closes. Prints "holding" once it holds.
 *
 *   hold.exe [--lock] PATH */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv) {
    char buf[64];
    HANDLE h;
    int lock = argc == 3 && wcscmp(argv[1], L"--lock") == 0;
    OVERLAPPED at;
    if (argc != 2 && !lock) {
        fprintf(stderr, "usage: hold [--lock] PATH\n");
        return 64;
    }
    h = CreateFileW(argv[argc - 1], GENERIC_READ | GENERIC_WRITE,
                    lock ? FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE : FILE_SHARE_READ,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold: cannot open the file (error %lu)\n", GetLastError());
        return 65;
    }
    ZeroMemory(&at, sizeof at);
    if (lock && !LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &at)) {
        fprintf(stderr, "hold: cannot lock the file (error %lu)\n", GetLastError());
        return 66;
    }
    printf("holding\n");
    fflush(stdout);
    while (fgets(buf, sizeof buf, stdin)) {
    }
    CloseHandle(h);
    return 0;
}
