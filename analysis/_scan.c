/* The batch tokenizer's one pass over a batch's texts (`analysis.arabic_batch.scan_texts`).
 *
 * `scan` walks every text once, character by character, and finds what `arabic.TokenIndex`,
 * `arabic.sentence_starts` and `arabic.OffsetMap` find one text at a time: the tokens (and, of
 * those, the ones a lexicon string may be found in), the sentence starts and the runs of
 * invisible characters. Each character's classes come from one table indexed by code point
 * (`arabic_batch.character_table`, built from Python's own regexes), so both agree on every
 * character; the rules below are the regexes' (see `arabic_batch`), written as loops.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

/* The bits of `arabic_batch.character_table` (the module's constants of the same names). */
enum {
    ARABIC = 1,        /* a letter of an Arabic word (`arabic._ARABIC_WORD`) */
    OTHER = 2,         /* `arabic._OTHER_ALNUM`: a word character, not `_`, not Arabic-block */
    DIGIT = 4,         /* `\d` among OTHER: what a separator joins */
    INVISIBLE = 8,     /* what `TokenIndex` removes before finding tokens */
    UNCASED = 16,      /* a word character outside ASCII and the Arabic block */
    SEPARATOR = 32,    /* `.,:/٫٬`: inside a number, between two digits */
    JOINER = 64,       /* `-'’`: inside a non-Arabic word, before a word character */
    WORD = 128,        /* `\w`: what makes a stretch between sentence ends a sentence */
    SPACE = 256,       /* `\s`: what a sentence's start skips */
    DECIMAL = 512,     /* `\d`: the digits around a decimal point */
    END_MARK = 1024,   /* what ends a sentence, in runs */
    CLOSER = 2048,     /* a closing quote or bracket kept with the end marks before it */
    LINE_BREAK = 4096, /* \r \n \u2028 \u2029 \x85: each ends a sentence (\r\n as one) */
};
#define IN_WORD (ARABIC | OTHER)
#define BOUNDARY (END_MARK | LINE_BREAK)
#define CODE_POINTS 0x110000

/* A growable array of fixed-size items. */
typedef struct {
    char *data;
    Py_ssize_t length, capacity, item;
} Array;

static int reserve(Array *a, Py_ssize_t more) {
    if (a->length + more <= a->capacity) return 0;
    Py_ssize_t capacity = a->capacity ? a->capacity : 1024;
    while (capacity < a->length + more) capacity *= 2;
    char *data = realloc(a->data, (size_t)(capacity * a->item));
    if (!data) return -1; /* the caller reports it, holding the GIL again */
    a->data = data;
    a->capacity = capacity;
    return 0;
}

#define PUSH(array, type, value) (((type *)(array).data)[(array).length++] = (type)(value))

static PyObject *as_bytes(Array *a) {
    return PyBytes_FromStringAndSize(a->data ? a->data : "", a->length * a->item);
}

static Py_ssize_t put_utf8(unsigned char *out, Py_UCS4 code) {
    if (code < 0x80) {
        out[0] = (unsigned char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (unsigned char)(0xC0 | (code >> 6));
        out[1] = (unsigned char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (code >> 12));
        out[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (code >> 18));
    out[1] = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (code & 0x3F));
    return 4;
}

typedef struct {
    const uint16_t *kinds;    /* per code point, its bits */
    const uint16_t *symbols;  /* per code point, its letter in the search's alphabet (0: none) */
    const int32_t *automaton; /* next state: automaton[state * width + letter] */
    Py_ssize_t width;
    const uint8_t *accepts; /* per state, whether a string ends there */
    Py_ssize_t states;
} Tables;

typedef struct {
    Array n_tokens, invisible;                          /* per text */
    Array token_doc, token_index, token_start, token_end; /* per kept token */
    Array words;                                        /* kept tokens, UTF-8, each then \n */
    Array sentence_doc, sentence_begin;                 /* per sentence */
    Array run_doc, run_gap_at, run_removed, run_start;  /* per run of invisible characters */
} Found;

/* The sentences of `codes[0:n]` (text `doc`): the text tiled into stretches, each ending after
 * a boundary (a run of end marks and the closers after it, \r\n, or one line break; a dot
 * between two digits is none); a stretch holding a word character is a sentence, starting at
 * its first character that is not blank. */
static int find_sentences(const Py_UCS4 *codes, Py_ssize_t n, uint32_t doc, const Tables *t,
                          Found *f) {
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t start = i;
        int has_word = 0;
        while (i < n) {
            uint16_t kind = t->kinds[codes[i]];
            if ((kind & BOUNDARY) &&
                !(codes[i] == '.' && i > 0 && i + 1 < n && (t->kinds[codes[i - 1]] & DECIMAL) &&
                  (t->kinds[codes[i + 1]] & DECIMAL)))
                break;
            has_word |= (kind & WORD) != 0;
            i++;
        }
        if (i < n) {
            if (t->kinds[codes[i]] & END_MARK) {
                while (i < n && (t->kinds[codes[i]] & END_MARK)) i++;
                while (i < n && (t->kinds[codes[i]] & CLOSER)) i++;
            } else if (codes[i] == '\r' && i + 1 < n && codes[i + 1] == '\n') {
                i += 2;
            } else {
                i++;
            }
        }
        if (has_word) {
            Py_ssize_t begin = start;
            while (t->kinds[codes[begin]] & SPACE) begin++; /* a word character ends it */
            if (reserve(&f->sentence_doc, 1) || reserve(&f->sentence_begin, 1)) return -1;
            PUSH(f->sentence_doc, uint32_t, doc);
            PUSH(f->sentence_begin, int64_t, begin);
        }
    }
    return 0;
}

/* The tokens of `stripped[0:m]` (the text without its invisible characters, whose classes and
 * letters are `kinds` and `letters`, `kinds[m]` being 0): a gap, then an Arabic word or a
 * word of other characters, in which a separator stands between two digits and a joiner
 * before another character. A token is kept when `keep_all`, or when a string of the search
 * ends in it or in the gap before it (as a search of the gap and token together would). */
static int find_tokens(const Py_UCS4 *stripped, const uint16_t *kinds, const uint16_t *letters,
                       Py_ssize_t m, uint32_t doc, int keep_all, const Tables *t, Found *f,
                       uint32_t *count) {
    Py_ssize_t pos = 0;
    uint32_t index = 0;
    while (pos < m) {
        int32_t state = 0;
        int holds = 0;
        while (pos < m && !(kinds[pos] & IN_WORD)) {
            state = t->automaton[state * t->width + letters[pos]];
            holds |= t->accepts[state];
            pos++;
        }
        if (pos == m) break;
        Py_ssize_t start = pos;
        if (kinds[pos] & ARABIC) {
            while (kinds[pos] & ARABIC) {
                state = t->automaton[state * t->width + letters[pos]];
                holds |= t->accepts[state];
                pos++;
            }
        } else {
            while (pos < m) {
                uint16_t kind = kinds[pos];
                if (!(kind & OTHER)) {
                    if (kind & SEPARATOR) {
                        if (!((kinds[pos - 1] & DIGIT) && (kinds[pos + 1] & DIGIT))) break;
                    } else if (!((kind & JOINER) && (kinds[pos + 1] & OTHER))) {
                        break;
                    }
                }
                state = t->automaton[state * t->width + letters[pos]];
                holds |= t->accepts[state];
                pos++;
            }
        }
        if (holds || keep_all) {
            if (reserve(&f->token_doc, 1) || reserve(&f->token_index, 1) ||
                reserve(&f->token_start, 1) || reserve(&f->token_end, 1) ||
                reserve(&f->words, 4 * (pos - start) + 1))
                return -1;
            PUSH(f->token_doc, uint32_t, doc);
            PUSH(f->token_index, uint32_t, index);
            PUSH(f->token_start, int64_t, start);
            PUSH(f->token_end, int64_t, pos);
            unsigned char *out = (unsigned char *)f->words.data;
            for (Py_ssize_t j = start; j < pos; j++)
                f->words.length += put_utf8(out + f->words.length, stripped[j]);
            out[f->words.length++] = '\n'; /* no word holds a line break */
        }
        index++;
    }
    *count = index;
    return 0;
}

/* One text, as `PyUnicode_DATA` holds it: read without the GIL (the caller keeps a reference). */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

/* Every text but the refused, found into `f`; -1 when memory ran out. Runs without the GIL. */
static int scan_texts(const Text *texts, Py_ssize_t n_texts, const char *refused, int keep_all,
                      const Tables *t, Found *f) {
    Py_UCS4 *codes = NULL, *stripped = NULL;
    uint16_t *kinds = NULL, *letters = NULL;
    Py_ssize_t room = 0;
    int status = -1;
    if (reserve(&f->n_tokens, n_texts) || reserve(&f->invisible, n_texts)) goto done;
    for (Py_ssize_t d = 0; d < n_texts; d++) {
        Py_ssize_t n = texts[d].length;
        uint32_t tokens = 0;
        if (refused[d]) {
            PUSH(f->n_tokens, uint32_t, 0);
            PUSH(f->invisible, uint8_t, 0);
            continue;
        }
        if (n + 1 > room) {
            room = 2 * (n + 1);
            free(codes);
            free(stripped);
            free(kinds);
            free(letters);
            codes = malloc(room * sizeof(Py_UCS4));
            stripped = malloc(room * sizeof(Py_UCS4));
            kinds = malloc(room * sizeof(uint16_t));
            letters = malloc(room * sizeof(uint16_t));
            if (!codes || !stripped || !kinds || !letters) goto done;
        }
        for (Py_ssize_t i = 0; i < n; i++) codes[i] = PyUnicode_READ(texts[d].kind, texts[d].data, i);
        if (find_sentences(codes, n, (uint32_t)d, t, f) < 0) goto done;

        /* The invisible characters removed, each run of them noted (`OffsetMap.from_runs`). */
        Py_ssize_t m = 0, removed = 0;
        int every = keep_all;
        for (Py_ssize_t i = 0; i < n;) {
            uint16_t kind = t->kinds[codes[i]];
            if (kind & INVISIBLE) {
                Py_ssize_t run = i;
                while (i < n && (t->kinds[codes[i]] & INVISIBLE)) i++;
                removed += i - run;
                if (reserve(&f->run_doc, 1) || reserve(&f->run_gap_at, 1) ||
                    reserve(&f->run_removed, 1) || reserve(&f->run_start, 1))
                    goto done;
                PUSH(f->run_doc, uint32_t, d);
                PUSH(f->run_gap_at, int64_t, i - removed);
                PUSH(f->run_removed, int64_t, removed);
                PUSH(f->run_start, int64_t, run);
                continue;
            }
            if (kind & UNCASED) every = 1; /* the search does not fold it: keep every token */
            stripped[m] = codes[i];
            kinds[m] = kind;
            letters[m] = t->symbols[codes[i]];
            m++;
            i++;
        }
        kinds[m] = 0;
        if (find_tokens(stripped, kinds, letters, m, (uint32_t)d, every, t, f, &tokens) < 0)
            goto done;
        PUSH(f->n_tokens, uint32_t, tokens);
        PUSH(f->invisible, uint8_t, removed > 0);
    }
    status = 0;
done:
    free(codes);
    free(stripped);
    free(kinds);
    free(letters);
    return status;
}

static int get_table(PyObject *object, Py_buffer *view, Py_ssize_t items, Py_ssize_t item,
                     const char *name) {
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len != items * item) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd", name, view->len,
                     items * item);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Whether every next state is a state and every letter a column: the loops index by them
 * unchecked. */
static const char *tables_problem(const Tables *t) {
    for (Py_ssize_t i = 0; i < t->states * t->width; i++)
        if (t->automaton[i] < 0 || t->automaton[i] >= t->states)
            return "automaton: a state out of range";
    for (Py_ssize_t c = 0; c < CODE_POINTS; c++)
        if (t->symbols[c] >= t->width) return "symbols: a letter out of range";
    return NULL;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *texts, *refused, *kinds_object, *symbols_object, *automaton_object,
        *accepts_object;
    Py_ssize_t width;
    int keep_all;
    if (!PyArg_ParseTuple(args, "O!O!OOOnOp", &PyList_Type, &texts, &PyBytes_Type, &refused,
                          &kinds_object, &symbols_object, &automaton_object, &width,
                          &accepts_object, &keep_all))
        return NULL;
    if (width < 1) return PyErr_Format(PyExc_ValueError, "width: at least 1");
    Py_buffer views[4];
    int held = 0;
    PyObject *items = NULL, *result = NULL;
    Text *read = NULL;
    Found f = {
        {NULL, 0, 0, 4}, {NULL, 0, 0, 1}, {NULL, 0, 0, 4}, {NULL, 0, 0, 4}, {NULL, 0, 0, 8},
        {NULL, 0, 0, 8}, {NULL, 0, 0, 1}, {NULL, 0, 0, 4}, {NULL, 0, 0, 8}, {NULL, 0, 0, 4},
        {NULL, 0, 0, 8}, {NULL, 0, 0, 8}, {NULL, 0, 0, 8},
    };
    Array *all[] = {&f.n_tokens,       &f.invisible,  &f.token_doc,   &f.token_index,
                    &f.token_start,    &f.token_end,  &f.words,       &f.sentence_doc,
                    &f.sentence_begin, &f.run_doc,    &f.run_gap_at,  &f.run_removed,
                    &f.run_start};
    const Py_ssize_t n_arrays = sizeof(all) / sizeof(all[0]);

    if (get_table(kinds_object, &views[0], CODE_POINTS, 2, "kinds") < 0) goto done;
    held = 1;
    if (get_table(symbols_object, &views[1], CODE_POINTS, 2, "symbols") < 0) goto done;
    held = 2;
    if (PyObject_GetBuffer(automaton_object, &views[2], PyBUF_C_CONTIGUOUS) < 0) goto done;
    held = 3;
    Py_ssize_t states = views[2].len / 4 / width;
    if (views[2].len != states * width * 4 || states < 1) {
        PyErr_SetString(PyExc_ValueError, "automaton: not states x width int32s");
        goto done;
    }
    if (get_table(accepts_object, &views[3], states, 1, "accepts") < 0) goto done;
    held = 4;
    Tables t = {views[0].buf, views[1].buf, views[2].buf, width, views[3].buf, states};
    const char *problem = tables_problem(&t);
    if (problem) {
        PyErr_SetString(PyExc_ValueError, problem);
        goto done;
    }
    /* A tuple of the texts: it keeps each one alive while the GIL is released, whatever
     * happens to the list. */
    items = PySequence_Tuple(texts);
    if (!items) goto done;
    Py_ssize_t n_texts = PyTuple_GET_SIZE(items);
    if (PyBytes_GET_SIZE(refused) != n_texts) {
        PyErr_SetString(PyExc_ValueError, "refused: one byte per text");
        goto done;
    }
    read = malloc((n_texts ? n_texts : 1) * sizeof(Text));
    if (!read) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t d = 0; d < n_texts; d++) {
        PyObject *text = PyTuple_GET_ITEM(items, d);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "text %zd: not a str", d);
            goto done;
        }
        read[d].kind = PyUnicode_KIND(text);
        read[d].data = PyUnicode_DATA(text);
        read[d].length = PyUnicode_GET_LENGTH(text);
    }
    int status;
    const char *refused_bytes = PyBytes_AS_STRING(refused);
    Py_BEGIN_ALLOW_THREADS
    status = scan_texts(read, n_texts, refused_bytes, keep_all, &t, &f);
    Py_END_ALLOW_THREADS
    if (status < 0) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyTuple_New(n_arrays);
    if (!result) goto done;
    for (Py_ssize_t a = 0; a < n_arrays; a++) {
        PyObject *bytes = as_bytes(all[a]);
        if (!bytes) {
            Py_CLEAR(result);
            goto done;
        }
        PyTuple_SET_ITEM(result, a, bytes);
    }

done:
    free(read);
    Py_XDECREF(items);
    for (Py_ssize_t a = 0; a < n_arrays; a++) free(all[a]->data);
    for (int v = 0; v < held; v++) PyBuffer_Release(&views[v]);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(texts, refused, kinds, symbols, automaton, width, accepts, keep_all) -> 13 bytes:\n"
     "n_tokens, invisible, token doc/index/start/end, words, sentence doc/begin,\n"
     "run doc/gap_at/removed_through/gap_starts (see analysis.arabic_batch.scan_texts)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "analysis._scan",
    "The batch tokenizer's one pass over a batch's texts (analysis.arabic_batch).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__scan(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    /* The bits, for the table's builder. */
    static const struct {
        const char *name;
        long value;
    } bits[] = {
        {"ARABIC", ARABIC},   {"OTHER", OTHER},     {"DIGIT", DIGIT},
        {"INVISIBLE", INVISIBLE}, {"UNCASED", UNCASED}, {"SEPARATOR", SEPARATOR},
        {"JOINER", JOINER},   {"WORD", WORD},       {"SPACE", SPACE},
        {"DECIMAL", DECIMAL}, {"END_MARK", END_MARK}, {"CLOSER", CLOSER},
        {"LINE_BREAK", LINE_BREAK},
    };
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        if (PyModule_AddIntConstant(m, bits[i].name, bits[i].value) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
