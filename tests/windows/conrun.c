/* conrun: start a program in a console of its own, as Explorer does when a .exe is
 * double-clicked, and print what that console shows (as UTF-8), so that a test under wine
 * sees the screen a clerk would see, not only what a pipe receives.
 *
 *   conrun.exe CODEPAGE "command line" [WHEN TYPE]...
 *
 * CODEPAGE: the output code page the console must have (936 on a Chinese PC; wine takes it
 * from the locale, LANG=zh_CN.UTF-8). Each WHEN TYPE pair in turn: once the screen shows WHEN,
 * TYPE and Enter are typed into the console. The program's exit code is conrun's. */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static HANDLE out;

static void emit(const wchar_t *w, int n) {
    char buf[8192];
    int len = WideCharToMultiByte(CP_UTF8, 0, w, n, buf, sizeof buf, NULL, NULL);
    DWORD done;
    WriteFile(out, buf, len, &done, NULL);
}

/* The whole screen buffer, one line per row, trailing blanks cut. Empty on failure. */
static int screen(wchar_t *dst, int cap) {
    HANDLE con = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    CONSOLE_SCREEN_BUFFER_INFO info;
    int n = 0;
    if (con == INVALID_HANDLE_VALUE) return 0;
    if (GetConsoleScreenBufferInfo(con, &info)) {
        SHORT w = info.dwSize.X, last = info.dwCursorPosition.Y;
        wchar_t row[1024];
        for (SHORT y = 0; y <= last && w <= 1024; y++) {
            COORD at = {0, y};
            DWORD got = 0;
            ReadConsoleOutputCharacterW(con, row, w, at, &got);
            while (got > 0 && row[got - 1] == L' ') got--;
            if (n + (int)got + 1 >= cap) break;
            wmemcpy(dst + n, row, got);
            n += got;
            dst[n++] = L'\n';
        }
    }
    CloseHandle(con);
    dst[n] = 0;
    return n;
}

/* Type `keys` then Enter, each character a key press and release. */
static void type_line(const wchar_t *keys) {
    HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    INPUT_RECORD r[2 * 64];
    DWORD done;
    int n = 0;
    ZeroMemory(r, sizeof r);
    for (const wchar_t *k = keys;; k++) {
        wchar_t c = *k ? *k : L'\r';
        for (int down = 1; down >= 0 && n < 2 * 64; down--, n++) {
            r[n].EventType = KEY_EVENT;
            r[n].Event.KeyEvent.bKeyDown = down;
            r[n].Event.KeyEvent.wRepeatCount = 1;
            r[n].Event.KeyEvent.wVirtualKeyCode = c == L'\r' ? VK_RETURN : VkKeyScanW(c) & 0xff;
            r[n].Event.KeyEvent.uChar.UnicodeChar = c;
        }
        if (!*k) break;
    }
    WriteConsoleInputW(in, r, n, &done);
    CloseHandle(in);
}

int wmain(int argc, wchar_t **argv) {
    static wchar_t text[1 << 20];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 1;
    int step = 0, n = 0, from = 0;
    UINT cp = 0;
    out = GetStdHandle(STD_OUTPUT_HANDLE);
    if (argc < 3 || argc % 2 != 1) {
        fprintf(stderr, "usage: conrun CODEPAGE \"command line\" [WHEN TYPE]...\n");
        return 64;
    }
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, argv[2], NULL, NULL, FALSE, CREATE_NEW_CONSOLE, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "conrun: cannot start the program (error %lu)\n", GetLastError());
        return 65;
    }
    /* Attach only after the program has had time to look at its console (it decides
     * whether it was double-clicked by counting the console's processes). */
    Sleep(3000);
    FreeConsole();
    for (int tries = 0; tries < 600; tries++) {
        if (!AttachConsole(pi.dwProcessId)) { if (getenv("CONRUN_DEBUG")) fprintf(stderr, "attach: error %lu\n", GetLastError()); } else {
            if (!cp) cp = GetConsoleOutputCP();
            n = screen(text, sizeof text / sizeof *text);
            /* The screen is searched after the previous step's text, so that a prompt
             * shown twice is answered twice. */
            if (3 + 2 * step < argc && from <= n) {
                wchar_t *at = wcsstr(text + from, argv[3 + 2 * step]);
                if (at) {
                    type_line(argv[4 + 2 * step]);
                    from = (int)(at - text) + (int)wcslen(argv[3 + 2 * step]);
                    step++;
                }
            }
            FreeConsole();
        }
        if (WaitForSingleObject(pi.hProcess, 100) == WAIT_OBJECT_0) break;
    }
    GetExitCodeProcess(pi.hProcess, &code);
    emit(text, n);
    if (cp != (UINT)_wtoi(argv[1])) {
        fprintf(stderr, "conrun: the console's code page was %u, not %ls\n", cp, argv[1]);
        return 66;
    }
    return (int)code;
}
