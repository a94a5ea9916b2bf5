/*
 * The Chronicle's search worker: Material's own, given the index the build made
 * (macros/search_index.py) instead of indexing every entry on each page load.
 *
 * Material's worker builds a Lunr index from all of search_index.json before
 * the first result can show: seconds, at thousands of episodes. The build ships
 * in the search configuration (config.chronicle_index: the theme hands the
 * worker only the configuration and the entries) every term, numbered as Lunr numbers them, and the entries
 * that hold it, field by field. While Material sets its search up, Lunr's
 * builder is swapped here for one that indexes nothing and loads those terms.
 * What Lunr would also have worked out for every entry (term frequencies,
 * vectors, and the positions Material highlights with) is worked out when a
 * search finds the entry, from its own text, by Material's tokenizer and
 * pipeline, for the terms the search reads: the same numbers, for the entries
 * a reader sees.
 *
 * Material's worker is named in this script's address (?material=...). Without
 * a prebuilt index of a known format, Material's builder runs as before.
 */
"use strict";
(function () {
  var FORMAT = 1;
  var SETUP = 0; // Material's SearchMessageType.SETUP
  var address =
    typeof document !== "undefined" && document.currentScript ? document.currentScript.src : self.location.href;
  var prebuilt = null;
  var Builder = null;

  // Registered before Material's worker registers its own listener: it sees the setup first.
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (!message || message.type !== SETUP || !message.data) return;
    var index = message.data.config && message.data.config.chronicle_index;
    prebuilt = index && index.format === FORMAT ? index : null;
    var lunr = self.lunr; // Material's worker has run: a real worker imports it below, the iframe shim before any message
    if (!lunr) return;
    if (!Builder) install(lunr.Builder);
    lunr.Builder = prebuilt ? Prebuilt : Builder;
  });

  function Prebuilt() {
    Builder.call(this);
    this.chronicleDocs = [];
  }

  function install(lunrBuilder) {
    Builder = lunrBuilder;
    Prebuilt.prototype = Object.create(Builder.prototype);
    Prebuilt.prototype.constructor = Prebuilt;
    Prebuilt.prototype.add = function (doc, attributes) {
      this.chronicleDocs.push([doc, attributes || {}]);
    };
    Prebuilt.prototype.build = function () {
      self.lunr.Builder = Builder;
      var index = prebuilt;
      prebuilt = null;
      return load(this, index) || buildAnyway(this);
    };
  }

  // The index does not fit what Material asked for: index the entries as Lunr would.
  function buildAnyway(builder) {
    builder.chronicleDocs.forEach(function (entry) {
      Builder.prototype.add.call(builder, entry[0], entry[1]);
    });
    return Builder.prototype.build.call(builder);
  }

  function load(builder, data) {
    var lunr = self.lunr;
    var fields = Object.keys(builder._fields);
    var entries = builder.chronicleDocs;
    var refs = entries.map(function (entry) {
      return entry[0][builder._ref];
    });
    var numberOfRef = new Map();
    refs.forEach(function (ref, number) {
      numberOfRef.set(ref, number);
    });
    if (
      data.lunr !== lunr.version || // the numbering and the scores are this Lunr's
      String(fields) !== String(data.fields) ||
      numberOfRef.size !== refs.length ||
      data.terms.length !== data.postings.length ||
      data.terms.length !== data.order.length
    )
      return null;
    var numberOfTerm = new Map();
    data.terms.forEach(function (term, number) {
      numberOfTerm.set(term, number);
    });
    var average = Object.create(null);
    fields.forEach(function (field, place) {
      average[field] = data.averageFieldLength[place];
    });

    // Lunr's posting of a term: its number, then for each field the entries holding it.
    var postings = Object.create(null);
    function posting(term) {
      var number = numberOfTerm.get(term);
      if (number === undefined) return undefined;
      var found = Object.create(null);
      found._index = data.order[number];
      fields.forEach(function (field, place) {
        var holders = Object.create(null);
        var entry = 0;
        data.postings[number][place].forEach(function (gap) {
          entry += gap;
          holders[refs[entry]] = Object.create(null);
        });
        found[field] = holders;
      });
      return found;
    }

    // What the pipeline makes of a token: the same for every occurrence, so worked out once.
    var termOf = new Map();
    function pipelined(token) {
      var term = termOf.get(token.str);
      if (term === undefined) {
        var out = builder.pipeline.run([new lunr.Token(token.str, {})]);
        term = out.length === 1 ? out[0].toString() : out.length === 0 ? null : false;
        termOf.set(token.str, term);
      }
      return term;
    }

    // An entry's field as Lunr's builder sees it: its terms in order, and the token each came
    // from (which carries its position). Counts and positions are taken from these for the terms
    // a query reads only: an entry holds a hundred other terms no search asks about.
    var analysed = new Map();
    function analyse(number, field) {
      var key = number + "/" + field;
      var known = analysed.get(key);
      if (known) return known;
      var doc = entries[number][0];
      var extractor = builder._fields[field].extractor;
      var value = extractor ? extractor(doc) : doc[field]; // Material's extractor starts the position table
      var tokens = builder.tokenizer(value, { fields: [field] });
      var terms = [];
      var each = [];
      for (var i = 0; i < tokens.length; i++) {
        var term = pipelined(tokens[i]);
        if (term === false) {
          // a pipeline that splits tokens: run it as Lunr does
          each = builder.pipeline.run(tokens);
          terms = each.map(String);
          break;
        }
        if (term !== null) {
          terms.push(term);
          each.push(tokens[i]);
        }
      }
      known = { terms: terms, tokens: each };
      analysed.set(key, known);
      return known;
    }

    // How often each of `wanted` occurs among an entry's terms.
    function counted(seen, wanted) {
      var counts = new Map();
      var terms = seen.terms;
      for (var i = 0; i < terms.length; i++) {
        if (wanted.has(terms[i])) counts.set(terms[i], (counts.get(terms[i]) || 0) + 1);
      }
      return counts;
    }

    // Where a term occurs in an entry's field, as Lunr keeps it for Material to highlight.
    function positions(seen, term) {
      var found = [];
      for (var i = 0; i < seen.terms.length; i++) {
        if (seen.terms[i] === term) found.push(seen.tokens[i].metadata.position);
      }
      return found;
    }

    // lunr.idf, from the number of entries holding the term (one count a field, as there).
    var idf = Object.create(null);
    var documentCount = entries.length;
    function inverseFrequency(term, number) {
      if (idf[term] === undefined) {
        var documentsWithTerm = 0;
        data.postings[number].forEach(function (holders) {
          documentsWithTerm += holders.length;
        });
        var x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
        idf[term] = Math.log(1 + Math.abs(x));
      }
      return idf[term];
    }

    // lunr.Builder.prototype.createFieldVectors, for one entry's field, with the terms this
    // query has read: a score is a dot product with the query's vector, which holds no other.
    var read = new Set();
    function vector(fieldRef) {
      var ref = lunr.FieldRef.fromString(fieldRef);
      var number = numberOfRef.get(ref.docRef);
      if (number === undefined || !(ref.fieldName in builder._fields)) return undefined;
      var field = ref.fieldName;
      var seen = analyse(number, field);
      var counts = counted(seen, read);
      var fieldBoost = builder._fields[field].boost || 1;
      var docBoost = entries[number][1].boost || 1;
      var made = new lunr.Vector();
      read.forEach(function (term) {
        var tf = counts.get(term);
        if (tf === undefined) return;
        var termNumber = numberOfTerm.get(term);
        var score =
          (inverseFrequency(term, termNumber) * ((builder._k1 + 1) * tf)) /
          (builder._k1 * (1 - builder._b + builder._b * (seen.terms.length / average[field])) + tf);
        score *= fieldBoost;
        score *= docBoost;
        made.insert(data.order[termNumber], Math.round(score * 1000) / 1000);
      });
      return made;
    }

    var allFieldRefs = [];
    refs.forEach(function (ref) {
      fields.forEach(function (field) {
        allFieldRefs.push(field + lunr.FieldRef.joiner + ref);
      });
    });

    // Read as Lunr reads a plain object, worked out the first time a key is asked for.
    function lazy(compute, keys, cache, onRead) {
      function get(key) {
        if (typeof key !== "string") return undefined;
        if (!(key in cache)) cache[key] = compute(key);
        if (onRead && cache[key] !== undefined) onRead(key);
        return cache[key];
      }
      return new Proxy(cache, {
        get: function (target, key) {
          return get(key);
        },
        has: function (target, key) {
          return get(key) !== undefined;
        },
        ownKeys: function () {
          return keys().filter(function (key) {
            return get(key) !== undefined;
          });
        },
        getOwnPropertyDescriptor: function (target, key) {
          var value = get(key);
          if (value === undefined) return undefined;
          return { value: value, writable: true, enumerable: true, configurable: true };
        },
      });
    }

    var vectors = Object.create(null);
    var index = new lunr.Index({
      invertedIndex: lazy(
        posting,
        function () {
          return data.terms;
        },
        postings,
        function (term) {
          read.add(term);
        },
      ),
      fieldVectors: lazy(
        vector,
        function () {
          return allFieldRefs;
        },
        vectors,
      ),
      tokenSet: lunr.TokenSet.fromArray(data.terms),
      fields: fields,
      pipeline: builder.searchPipeline,
    });

    // Each query reads its terms anew, and its vectors hold only those.
    index.query = function (fn) {
      read = new Set();
      Object.keys(vectors).forEach(function (key) {
        delete vectors[key];
      });
      return lunr.Index.prototype.query.call(this, fn);
    };

    // Material highlights a result with the positions Lunr keeps for each match.
    index.search = function (query) {
      var results = lunr.Index.prototype.search.call(this, query);
      results.forEach(function (result) {
        var number = numberOfRef.get(result.ref);
        var metadata = result.matchData.metadata;
        Object.keys(metadata).forEach(function (term) {
          Object.keys(metadata[term]).forEach(function (field) {
            metadata[term][field].position = positions(analyse(number, field), term);
          });
        });
      });
      return results;
    };
    return index;
  }

  var material = new URL(address).searchParams.get("material");
  importScripts(new URL(material, address).href);
})();
