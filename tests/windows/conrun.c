/* conrun: start a program in a console of its own, as Explorer does when a .exe is
 * double-clicked, and print what that console shows (as UTF-8), so that a test under wine
 * sees the screen a clerk would see, not only what a pipe receives.
 *
 *   conrun.exe CODEPAGE ENTER_WHEN "command line"
 *
 * CODEPAGE: the output code page the console must have (936 on a Chinese PC; wine takes it
 * from the locale, LANG=zh_CN.UTF-8). ENTER_WHEN: when the screen
 * shows this text, Enter is typed into the console ("" types nothing). The program's exit
 * code is conrun's. */
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

static void type_enter(void) {
    HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    INPUT_RECORD r[2];
    DWORD done;
    ZeroMemory(r, sizeof r);
    for (int i = 0; i < 2; i++) {
        r[i].EventType = KEY_EVENT;
        r[i].Event.KeyEvent.bKeyDown = i == 0;
        r[i].Event.KeyEvent.wRepeatCount = 1;
        r[i].Event.KeyEvent.wVirtualKeyCode = VK_RETURN;
        r[i].Event.KeyEvent.uChar.UnicodeChar = L'\r';
    }
    WriteConsoleInputW(in, r, 2, &done);
    CloseHandle(in);
}

int wmain(int argc, wchar_t **argv) {
    static wchar_t text[1 << 20];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 1;
    int typed = 0, n = 0;
    UINT cp = 0;
    out = GetStdHandle(STD_OUTPUT_HANDLE);
    if (argc != 4) {
        fprintf(stderr, "usage: conrun CODEPAGE ENTER_WHEN \"command line\"\n");
        return 64;
    }
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, argv[3], NULL, NULL, FALSE, CREATE_NEW_CONSOLE, NULL, NULL, &si, &pi)) {
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
            if (!typed && argv[2][0] && wcsstr(text, argv[2])) {
                type_enter();
                typed = 1;
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
