/* Fingerprints of a batch of texts in one call: the compiled form of
 * copydesk.fingerprint.shingles.fingerprint, giving identical results; and two hot spots
 * of the semantic stage, each identical to the Python it stands in for.
 *
 * For every text: case folding (str.casefold), words as Python's re finds r"\w+" (a word
 * character is Py_UNICODE_ISALNUM or "_", exactly as the re module decides), each word
 * hashed over its UTF-8 bytes as copydesk.text.tokens.word_hashes does, 5-word shingles,
 * winnowing anchors (sorted, unique), a MinHash signature and the LSH band keys. The
 * permutation constants are passed in by the caller, so they live in one place.
 *
 * fingerprint_batch(texts, a, b, band_salt, row_mul, shingle, window) returns
 * (n_words, anchor_bounds, anchors, bands) as bytearrays: int64 word counts, int64
 * offsets (len(texts) + 1) into the uint64 anchors, and uint64 band keys, len(a) / len(row_mul)
 * per text (zeros for a text without words, whose bands are empty).
 *
 * langid_features(texts, next_state, row_base, emits) walks every bytes object through
 * py3langid's byte automaton (copydesk.semantic.language.probabilities): from state 0, each
 * byte b moves to next_state[row_base[state] + b] and a state whose emits[state] is not
 * negative emits that feature. It returns (indptr, features) as bytearrays: int64 offsets
 * (len(texts) + 1) into the int32 features, in byte order per text.
 *
 * tokenize(text) gives the words of copydesk.text.tokens.tokenize: the same words and
 * hashes as fingerprinting, with their character offsets in text.
 *
 * name_words(text, cased) is the set of an article's words that may be names
 * (copydesk.semantic.anchors.article_keys): the runs the pattern _WORD finds, stripped of
 * "'" and "-" at both ends, whose first character is a letter (and a capital when cased).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POW_N 64
static const uint64_t P = 0x100000001B3ULL;
static const uint64_t SHINGLE_MUL = 0x9E3779B97F4A7C15ULL;
static uint64_t POW[POW_N];
static unsigned char ASCII_WORD[128];

static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 31);
}

/* What the re module takes for \w in a str pattern (SRE_UNI_IS_WORD). */
static inline int is_word(Py_UCS4 ch) {
    if (ch < 128) return ASCII_WORD[ch];
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

/* A growable uint64 array. */
typedef struct {
    uint64_t *data;
    Py_ssize_t size, cap;
} Vec;

static int vec_reserve(Vec *v, Py_ssize_t need) {
    if (need <= v->cap) return 0;
    Py_ssize_t cap = v->cap ? v->cap : 256;
    while (cap < need) cap *= 2;
    uint64_t *data = PyMem_Realloc(v->data, (size_t)cap * sizeof(uint64_t));
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    v->data = data;
    v->cap = cap;
    return 0;
}

static inline int vec_push(Vec *v, uint64_t x) {
    if (v->size == v->cap && vec_reserve(v, v->size + 1) < 0) return -1;
    v->data[v->size++] = x;
    return 0;
}

/* The running polynomial hash of one word (word_hashes in tokens.py): the sum of
 * (byte + 1) * P^(position mod 64) over the word's UTF-8 bytes and the joining space
 * after it, xor the byte count with that space, mixed. */
typedef struct {
    uint64_t sum;
    uint64_t pos;
} WordHash;

static inline void wh_byte(WordHash *w, unsigned int byte) {
    w->sum += ((uint64_t)byte + 1) * POW[w->pos % POW_N];
    w->pos++;
}

static inline void wh_char(WordHash *w, Py_UCS4 ch) {
    if (ch < 0x80) {
        wh_byte(w, ch);
    } else if (ch < 0x800) {
        wh_byte(w, 0xC0 | (ch >> 6));
        wh_byte(w, 0x80 | (ch & 0x3F));
    } else if (ch < 0x10000) {
        wh_byte(w, 0xE0 | (ch >> 12));
        wh_byte(w, 0x80 | ((ch >> 6) & 0x3F));
        wh_byte(w, 0x80 | (ch & 0x3F));
    } else {
        wh_byte(w, 0xF0 | (ch >> 18));
        wh_byte(w, 0x80 | ((ch >> 12) & 0x3F));
        wh_byte(w, 0x80 | ((ch >> 6) & 0x3F));
        wh_byte(w, 0x80 | (ch & 0x3F));
    }
}

static inline uint64_t wh_end(WordHash *w) {
    wh_byte(w, ' ');
    return mix64(w->sum ^ w->pos);
}

/* The word hashes of a folded text: runs of word characters; with ``starts`` and
 * ``ends`` (or NULL), each word's character span too. */
static int words_folded(PyObject *folded, Vec *out, Vec *starts, Vec *ends) {
    int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    Py_ssize_t n = PyUnicode_GET_LENGTH(folded);
    WordHash w = {0, 0};
    int in_word = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_word(ch)) {
            if (!in_word) {
                w.sum = 0;
                w.pos = 0;
                in_word = 1;
                if (starts && vec_push(starts, (uint64_t)i) < 0) return -1;
            }
            wh_char(&w, ch);
        } else if (in_word) {
            in_word = 0;
            if (vec_push(out, wh_end(&w)) < 0) return -1;
            if (ends && vec_push(ends, (uint64_t)i) < 0) return -1;
        }
    }
    if (in_word) {
        if (vec_push(out, wh_end(&w)) < 0) return -1;
        if (ends && vec_push(ends, (uint64_t)n) < 0) return -1;
    }
    return 0;
}

/* The word hashes when folding the whole text would move offsets or make words: words
 * are found in the original and each is folded alone (words_of in tokens.py). */
static int words_unfolded(PyObject *text, Vec *out, Vec *starts, Vec *ends) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && is_word(PyUnicode_READ(kind, data, j))) j++;
        if (starts && (vec_push(starts, (uint64_t)i) < 0 || vec_push(ends, (uint64_t)j) < 0))
            return -1;
        PyObject *word = PyUnicode_Substring(text, i, j);
        if (!word) return -1;
        PyObject *folded = PyObject_CallMethod(word, "casefold", NULL);
        Py_DECREF(word);
        if (!folded) return -1;
        int fkind = PyUnicode_KIND(folded);
        const void *fdata = PyUnicode_DATA(folded);
        Py_ssize_t fn = PyUnicode_GET_LENGTH(folded);
        WordHash w = {0, 0};
        for (Py_ssize_t k = 0; k < fn; k++) wh_char(&w, PyUnicode_READ(fkind, fdata, k));
        Py_DECREF(folded);
        if (vec_push(out, wh_end(&w)) < 0) return -1;
        i = j;
    }
    return 0;
}

static int text_word_hashes(PyObject *text, Vec *out, Vec *starts, Vec *ends) {
    out->size = 0;
    PyObject *folded = PyObject_CallMethod(text, "casefold", NULL);
    if (!folded) return -1;
    int same = PyUnicode_GET_LENGTH(folded) == PyUnicode_GET_LENGTH(text);
    if (same && PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND) {
        /* U+0345 folds to a word character (iota) though it is none itself. */
        same = PyUnicode_FindChar(text, 0x0345, 0, PyUnicode_GET_LENGTH(text), 1) == -1;
    }
    int rc = same ? words_folded(folded, out, starts, ends)
                  : words_unfolded(text, out, starts, ends);
    Py_DECREF(folded);
    return rc;
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sort and drop repeats in place; the new length. */
static Py_ssize_t sort_unique(uint64_t *v, Py_ssize_t n) {
    if (n <= 1) return n;
    qsort(v, (size_t)n, sizeof(uint64_t), cmp_u64);
    Py_ssize_t k = 1;
    for (Py_ssize_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

static int get_u64s(PyObject *obj, Py_buffer *view, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len % 8 != 0 || view->len == 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: a non-empty buffer of uint64 is expected", name);
        return -1;
    }
    return 0;
}

static PyObject *fingerprint_batch(PyObject *self, PyObject *args) {
    PyObject *texts, *oa, *ob, *osalt, *omul;
    Py_ssize_t shingle, window;
    if (!PyArg_ParseTuple(args, "OOOOOnn", &texts, &oa, &ob, &osalt, &omul, &shingle, &window))
        return NULL;
    if (shingle < 1 || window < 1) {
        PyErr_SetString(PyExc_ValueError, "shingle and window must be positive");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence of str");
    if (!seq) return NULL;
    Py_buffer va = {0}, vb = {0}, vs = {0}, vm = {0};
    PyObject *result = NULL, *b_words = NULL, *b_bounds = NULL, *b_anchors = NULL,
             *b_bands = NULL;
    Vec words = {0}, shingles = {0}, anchors = {0}, bands = {0};
    int64_t *counts = NULL, *bounds = NULL;
    uint64_t *sig = NULL;
    int have_a = 0, have_b = 0, have_s = 0, have_m = 0;
    if (get_u64s(oa, &va, "a") < 0) goto done;
    have_a = 1;
    if (get_u64s(ob, &vb, "b") < 0) goto done;
    have_b = 1;
    if (get_u64s(osalt, &vs, "band_salt") < 0) goto done;
    have_s = 1;
    if (get_u64s(omul, &vm, "row_mul") < 0) goto done;
    have_m = 1;
    Py_ssize_t perms = va.len / 8, nbands = vs.len / 8, rows = vm.len / 8;
    if (vb.len != va.len || nbands * rows != perms) {
        PyErr_SetString(PyExc_ValueError, "a, b must have bands * rows values");
        goto done;
    }
    const uint64_t *A = va.buf, *B = vb.buf, *SALT = vs.buf, *MUL = vm.buf;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    counts = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    bounds = PyMem_Malloc((size_t)(n + 1) * sizeof(int64_t));
    sig = PyMem_Malloc((size_t)perms * sizeof(uint64_t));
    if (!counts || !bounds || !sig || vec_reserve(&bands, n * nbands + 1) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    bounds[0] = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *text = items[t];
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] is not a str", t);
            goto done;
        }
        if (text_word_hashes(text, &words, NULL, NULL) < 0) goto done;
        Py_ssize_t nw = words.size;
        counts[t] = nw;
        uint64_t *band = bands.data + t * nbands;
        if (nw == 0) {
            memset(band, 0, (size_t)nbands * sizeof(uint64_t));
            bounds[t + 1] = anchors.size;
            continue;
        }
        /* shingles: every run of k words (one shingle for a text shorter than k) */
        Py_ssize_t k = shingle < nw ? shingle : nw;
        Py_ssize_t ns = nw - k + 1;
        if (vec_reserve(&shingles, ns) < 0) goto done;
        const uint64_t *h = words.data;
        for (Py_ssize_t i = 0; i < ns; i++) {
            uint64_t acc = h[i];
            for (Py_ssize_t j = 1; j < k; j++) acc = acc * SHINGLE_MUL + h[i + j];
            shingles.data[i] = mix64(acc);
        }
        shingles.size = ns;
        /* winnowing: the minimum of every window (all shingles when there are few) */
        Py_ssize_t start = anchors.size;
        if (ns <= window) {
            if (vec_reserve(&anchors, start + ns) < 0) goto done;
            memcpy(anchors.data + start, shingles.data, (size_t)ns * sizeof(uint64_t));
            anchors.size = start + ns;
        } else {
            Py_ssize_t nwin = ns - window + 1;
            if (vec_reserve(&anchors, start + nwin) < 0) goto done;
            uint64_t *dst = anchors.data + start;
            Py_ssize_t m = 0;
            for (Py_ssize_t i = 0; i < nwin; i++) {
                uint64_t lo = shingles.data[i];
                for (Py_ssize_t j = 1; j < window; j++)
                    if (shingles.data[i + j] < lo) lo = shingles.data[i + j];
                if (m == 0 || dst[m - 1] != lo) dst[m++] = lo;
            }
            anchors.size = start + m;
        }
        anchors.size = start + sort_unique(anchors.data + start, anchors.size - start);
        bounds[t + 1] = anchors.size;
        /* MinHash: per permutation, the minimum of a * s + b (mod 2^64) */
        for (Py_ssize_t p = 0; p < perms; p++) sig[p] = UINT64_MAX;
        for (Py_ssize_t i = 0; i < ns; i++) {
            uint64_t s = shingles.data[i];
            for (Py_ssize_t p = 0; p < perms; p++) {
                uint64_t v = A[p] * s + B[p];
                sig[p] = v < sig[p] ? v : sig[p];
            }
        }
        /* band keys: the mixed rows of a band weighted, summed, salted and mixed */
        for (Py_ssize_t bi = 0; bi < nbands; bi++) {
            uint64_t sum = 0;
            for (Py_ssize_t r = 0; r < rows; r++) sum += mix64(sig[bi * rows + r]) * MUL[r];
            band[bi] = mix64(sum ^ SALT[bi]);
        }
    }
    b_words = PyByteArray_FromStringAndSize((const char *)counts, n * (Py_ssize_t)sizeof(int64_t));
    b_bounds = PyByteArray_FromStringAndSize((const char *)bounds,
                                             (n + 1) * (Py_ssize_t)sizeof(int64_t));
    b_anchors = PyByteArray_FromStringAndSize((const char *)anchors.data,
                                              anchors.size * (Py_ssize_t)sizeof(uint64_t));
    b_bands = PyByteArray_FromStringAndSize((const char *)bands.data,
                                            n * nbands * (Py_ssize_t)sizeof(uint64_t));
    if (b_words && b_bounds && b_anchors && b_bands)
        result = PyTuple_Pack(4, b_words, b_bounds, b_anchors, b_bands);
done:
    Py_XDECREF(b_words);
    Py_XDECREF(b_bounds);
    Py_XDECREF(b_anchors);
    Py_XDECREF(b_bands);
    if (have_a) PyBuffer_Release(&va);
    if (have_b) PyBuffer_Release(&vb);
    if (have_s) PyBuffer_Release(&vs);
    if (have_m) PyBuffer_Release(&vm);
    PyMem_Free(words.data);
    PyMem_Free(shingles.data);
    PyMem_Free(anchors.data);
    PyMem_Free(bands.data);
    PyMem_Free(counts);
    PyMem_Free(bounds);
    PyMem_Free(sig);
    Py_DECREF(seq);
    return result;
}

/* A C-contiguous buffer of a signed integer type of itemsize bytes, in native byte order. */
static int get_ints(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *fmt = view->format ? view->format : "B";
    char order = fmt[0];
#if PY_BIG_ENDIAN
    int foreign = order == '<';
#else
    int foreign = order == '>' || order == '!';
#endif
    if (order == '@' || order == '=' || order == '<' || order == '>' || order == '!') fmt++;
    int is_signed = fmt[0] != '\0' && fmt[1] == '\0' && strchr("bhilqn", fmt[0]) != NULL;
    if (foreign || !is_signed || view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError,
                     "%s: a buffer of int%zd in native byte order is expected, not format "
                     "'%s' of %zd bytes",
                     name, itemsize * 8, view->format ? view->format : "B", view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Texts walked side by side: a step reads the 39 MB transition table at a place no cache
 * holds, and the steps of one text wait on each other, those of several do not. */
#define LANES 8

typedef struct {
    const unsigned char *next, *end; /* the bytes still to read */
    int64_t state;
    int32_t *out; /* where the text's next feature goes */
    Py_ssize_t text;
} Lane;

static PyObject *langid_features(PyObject *self, PyObject *args) {
    PyObject *texts, *onext, *orow, *oemit;
    if (!PyArg_ParseTuple(args, "OOOO", &texts, &onext, &orow, &oemit)) return NULL;
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence of bytes");
    if (!seq) return NULL;
    Py_buffer vn = {0}, vr = {0}, ve = {0};
    int have_n = 0, have_r = 0, have_e = 0;
    PyObject *result = NULL, *b_indptr = NULL, *b_features = NULL;
    int64_t *filled = NULL;
    if (get_ints(onext, &vn, 4, "next_state") < 0) goto done;
    have_n = 1;
    if (get_ints(orow, &vr, 8, "row_base") < 0) goto done;
    have_r = 1;
    if (get_ints(oemit, &ve, 4, "emits") < 0) goto done;
    have_e = 1;
    const int32_t *NEXT = vn.buf, *EMITS = ve.buf;
    const int64_t *ROW = vr.buf;
    const int64_t n_next = vn.len / 4;
    /* a state must have a row and an emission */
    const int64_t n_states = vr.len / 8 < ve.len / 4 ? vr.len / 8 : ve.len / 4;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    Py_ssize_t total = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        if (!PyBytes_Check(items[t])) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] is not bytes", t);
            goto done;
        }
        total += PyBytes_GET_SIZE(items[t]);
    }
    if (total > PY_SSIZE_T_MAX / 4) {
        PyErr_NoMemory();
        goto done;
    }
    if (total > 0 && n_states < 1) {
        PyErr_SetString(PyExc_ValueError, "the automaton has no state 0");
        goto done;
    }
    /* A byte emits at most one feature: text t writes its features from the offset of its
     * first byte in the concatenated texts (indptr[t] until the end), up to filled[t]. */
    b_indptr = PyByteArray_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    b_features = PyByteArray_FromStringAndSize(NULL, total * (Py_ssize_t)sizeof(int32_t));
    filled = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    if (!b_indptr || !b_features || !filled) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    int64_t *indptr = (int64_t *)PyByteArray_AS_STRING(b_indptr);
    int32_t *features = (int32_t *)PyByteArray_AS_STRING(b_features);
    indptr[0] = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        indptr[t + 1] = indptr[t] + PyBytes_GET_SIZE(items[t]);
        filled[t] = indptr[t];
    }
    Lane lanes[LANES];
    int active = 0;
    Py_ssize_t waiting = 0; /* the next text to give a lane */
    for (;;) {
        while (active < LANES && waiting < n) {
            Py_ssize_t len = PyBytes_GET_SIZE(items[waiting]);
            if (len > 0) {
                Lane *lane = &lanes[active++];
                lane->next = (const unsigned char *)PyBytes_AS_STRING(items[waiting]);
                lane->end = lane->next + len;
                lane->state = 0;
                lane->out = features + indptr[waiting];
                lane->text = waiting;
            }
            waiting++;
        }
        if (active == 0) break;
        /* one byte of every lane's text, until one of them ends */
        int ended = 0;
        while (!ended) {
            for (int g = 0; g < active; g++) {
                Lane *lane = &lanes[g];
                unsigned int byte = *lane->next++;
                int64_t at = ROW[lane->state] + byte;
                if (at < 0 || at >= n_next) {
                    PyErr_Format(PyExc_ValueError,
                                 "row_base[%lld] + %u = %lld is outside next_state (%lld)",
                                 (long long)lane->state, byte, (long long)at,
                                 (long long)n_next);
                    goto done;
                }
                int64_t state = NEXT[at];
                if (state < 0 || state >= n_states) {
                    PyErr_Format(PyExc_ValueError,
                                 "next_state[%lld] = %lld is not a state (%lld states)",
                                 (long long)at, (long long)state, (long long)n_states);
                    goto done;
                }
                lane->state = state;
                int32_t feature = EMITS[state];
                if (feature >= 0) *lane->out++ = feature;
                ended |= lane->next == lane->end;
            }
        }
        for (int g = 0; g < active;) {
            if (lanes[g].next == lanes[g].end) {
                filled[lanes[g].text] = lanes[g].out - features;
                lanes[g] = lanes[--active];
            } else {
                g++;
            }
        }
    }
    /* close the gaps the texts' bytes left over their features */
    Py_ssize_t m = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        int64_t start = indptr[t], count = filled[t] - start;
        memmove(features + m, features + start, (size_t)count * sizeof(int32_t));
        indptr[t] = m;
        m += count;
    }
    indptr[n] = m;
    if (PyByteArray_Resize(b_features, m * (Py_ssize_t)sizeof(int32_t)) < 0) goto done;
    result = PyTuple_Pack(2, b_indptr, b_features);
done:
    Py_XDECREF(b_indptr);
    Py_XDECREF(b_features);
    if (have_n) PyBuffer_Release(&vn);
    if (have_r) PyBuffer_Release(&vr);
    if (have_e) PyBuffer_Release(&ve);
    PyMem_Free(filled);
    Py_DECREF(seq);
    return result;
}

/* What ends a word of copydesk.semantic.anchors._WORD, the class
 * [^\s\d.,;:!?()\[\]{}"“”‘’«»„|/\\–—*#@&+=<>…।॥،؛-]: \s and \d as the re module decides them
 * for a str pattern (Py_UNICODE_ISSPACE, Py_UNICODE_ISDECIMAL) and the listed characters. */
static const Py_UCS4 WORD_ENDS[] = {
    '.', ',', ';', ':', '!', '?', '(', ')', '[', ']', '{', '}', '"',
    0x201C, 0x201D, 0x2018, 0x2019, /* “ ” ‘ ’ */
    0x00AB, 0x00BB, 0x201E,         /* « » „ */
    '|', '/', '\\',
    0x2013, 0x2014, /* – — */
    '*', '#', '@', '&', '+', '=', '<', '>',
    0x2026,         /* … */
    0x0964, 0x0965, /* । ॥ */
    0x060C, 0x061B, /* ، ؛ */
    '-',
};
static unsigned char LATIN1_WORD_END[256];

static int word_end_slow(Py_UCS4 ch) {
    if (Py_UNICODE_ISSPACE(ch) || Py_UNICODE_ISDECIMAL(ch)) return 1;
    for (size_t k = 0; k < sizeof(WORD_ENDS) / sizeof(WORD_ENDS[0]); k++)
        if (WORD_ENDS[k] == ch) return 1;
    return 0;
}

static inline int word_end(Py_UCS4 ch) {
    return ch < 256 ? LATIN1_WORD_END[ch] : word_end_slow(ch);
}

static PyObject *name_words(PyObject *self, PyObject *args) {
    PyObject *text;
    int cased;
    if (!PyArg_ParseTuple(args, "Up", &text, &cased)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PySet_New(NULL);
    if (!out) return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        if (word_end(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && !word_end(PyUnicode_READ(kind, data, j))) j++;
        Py_ssize_t lo = i, hi = j; /* str.strip("'-") */
        while (lo < hi) {
            Py_UCS4 c = PyUnicode_READ(kind, data, lo);
            if (c != '\'' && c != '-') break;
            lo++;
        }
        while (hi > lo) {
            Py_UCS4 c = PyUnicode_READ(kind, data, hi - 1);
            if (c != '\'' && c != '-') break;
            hi--;
        }
        if (lo < hi) {
            Py_UCS4 first = PyUnicode_READ(kind, data, lo);
            if (Py_UNICODE_ISALPHA(first) && (!cased || Py_UNICODE_ISUPPER(first))) {
                PyObject *word = PyUnicode_Substring(text, lo, hi);
                if (!word || PySet_Add(out, word) < 0) {
                    Py_XDECREF(word);
                    Py_DECREF(out);
                    return NULL;
                }
                Py_DECREF(word);
            }
        }
        i = j;
    }
    return out;
}

/* tokenize(text): the words of copydesk.text.tokens.tokenize, as three bytearrays of
 * int64 starts, int64 ends (character offsets into text) and uint64 word hashes. */
static PyObject *vec_bytes(Vec *v) {
    return PyByteArray_FromStringAndSize((const char *)v->data,
                                         v->size * (Py_ssize_t)sizeof(uint64_t));
}

static PyObject *tokenize(PyObject *self, PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    Vec hashes = {0}, starts = {0}, ends = {0};
    PyObject *result = NULL;
    if (text_word_hashes(text, &hashes, &starts, &ends) == 0) {
        PyObject *a = vec_bytes(&starts), *b = vec_bytes(&ends), *c = vec_bytes(&hashes);
        if (a && b && c) result = PyTuple_Pack(3, a, b, c);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
    }
    PyMem_Free(hashes.data);
    PyMem_Free(starts.data);
    PyMem_Free(ends.data);
    return result;
}

static PyMethodDef methods[] = {
    {"fingerprint_batch", fingerprint_batch, METH_VARARGS,
     "fingerprint_batch(texts, a, b, band_salt, row_mul, shingle, window) -> "
     "(n_words, anchor_bounds, anchors, bands) as bytearrays"},
    {"langid_features", langid_features, METH_VARARGS,
     "langid_features(texts, next_state, row_base, emits) -> (indptr, features) as "
     "bytearrays of int64 and int32: the features py3langid's byte automaton emits"},
    {"name_words", name_words, METH_VARARGS,
     "name_words(text, cased) -> set of the words of copydesk.semantic.anchors._WORD, "
     "stripped of \"'-\", that open with a letter (a capital when cased)"},
    {"tokenize", tokenize, METH_VARARGS,
     "tokenize(text) -> (starts, ends, hashes) as bytearrays of int64, int64 and uint64: "
     "the words of copydesk.text.tokens.tokenize"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "copydesk._fingerprint",
    "Compiled batch fingerprinting, identical to copydesk.fingerprint.shingles.fingerprint, "
    "and the language-identification walk and name words of copydesk.semantic.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__fingerprint(void) {
    POW[0] = 1;
    for (int i = 1; i < POW_N; i++) POW[i] = POW[i - 1] * P;
    for (Py_UCS4 c = 0; c < 128; c++) ASCII_WORD[c] = Py_UNICODE_ISALNUM(c) || c == '_';
    for (Py_UCS4 c = 0; c < 256; c++) LATIN1_WORD_END[c] = (unsigned char)word_end_slow(c);
    return PyModule_Create(&module);
}
