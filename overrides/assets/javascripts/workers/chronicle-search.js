/*
 * The Chronicle's search worker: Material's own, given the index the build made
 * (macros/search_index.py) instead of indexing every entry on each page load.
 *
 * Material's worker builds a Lunr index from all of search_index.json before
 * the first result can show: seconds, at thousands of episodes. The build
 * ships in the search configuration (config.chronicle_index: the theme hands
 * the worker only the configuration and the entries) every term, numbered as
 * Lunr numbers them, the entries that hold it and how often, field by field,
 * and the length of every entry's fields. While Material sets its search up,
 * Lunr's builder is swapped here for one that indexes nothing and loads those
 * terms. A search scores what it finds from these numbers, as Lunr's vectors
 * would; the positions Material highlights with are worked out from an entry's
 * own text, by Material's tokenizer and pipeline, when the entry is shown.
 *
 * Material highlights every result before it answers: thousands, for a short
 * query on a large record, most of which no reader scrolls to. So an answer
 * with many results comes twice: first with the results Material shows first
 * highlighted (and marked `partial`), then, at once, with every result
 * highlighted. Both list the same results in the same order.
 *
 * Material's worker is named in this script's address (?material=...). Without
 * a prebuilt index of a known format, Material's builder runs as before.
 */
"use strict";
(function () {
  var FORMAT = 2;
  var SETUP = 0; // Material's SearchMessageType
  var QUERY = 2;
  var RESULT = 3;
  // The result groups (a page and its sections) highlighted in a first answer: Material shows
  // ten, then four more each time the reader scrolls to the end of the list.
  var FIRST_GROUPS = 40;
  var address =
    typeof document !== "undefined" && document.currentScript ? document.currentScript.src : self.location.href;
  var prebuilt = null;
  var Builder = null;
  // The query asked last, numbered: a second answer is only given to the query still asked.
  var asked = { number: 0, message: null };
  var askedAgain = null; // the event that asks Material for the second answer, while it does
  var partial = false; // the answer Material is about to post is a first one

  // Registered before Material's worker registers its own listener: it sees each message first.
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (message && message.type === QUERY && event !== askedAgain) {
      asked = { number: asked.number + 1, message: message };
      return;
    }
    if (!message || message.type !== SETUP || !message.data) return;
    var index = message.data.config && message.data.config.chronicle_index;
    prebuilt = index && index.format === FORMAT ? index : null;
    var lunr = self.lunr; // Material's worker has run: a real worker imports it below, the iframe shim before any message
    if (!lunr) return;
    if (!Builder) install(lunr.Builder);
    lunr.Builder = prebuilt ? Prebuilt : Builder;
  });

  var post = self.postMessage;
  self.postMessage = function (message) {
    var first = partial && message && message.type === RESULT;
    partial = false;
    if (first) message.partial = true;
    var posted = post.apply(self, arguments);
    if (first) askAgain();
    return posted;
  };

  // Asks Material's listener the same query again, once the page has shown the first answer:
  // read from disk, this "worker" runs in an iframe, on the page's own thread, and waits for
  // the page to draw it.
  var later =
    typeof document !== "undefined" && self.parent && self.parent !== self
      ? function (fn) {
          // A task after the page's second frame from now: the page takes the answer before
          // that, and draws it. (The hidden iframe draws no frames of its own.)
          self.parent.requestAnimationFrame(function () {
            self.parent.requestAnimationFrame(function () {
              setTimeout(fn, 0);
            });
          });
        }
      : function (fn) {
          setTimeout(fn, 0);
        };
  function askAgain() {
    var number = asked.number;
    later(function () {
      if (number !== asked.number) return; // another query came first: this answer is stale
      askedAgain = new MessageEvent("message", { data: asked.message });
      try {
        self.dispatchEvent(askedAgain);
      } finally {
        askedAgain = null;
      }
    });
  }

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
      data.terms.length !== data.order.length ||
      data.lengths.length !== fields.length ||
      data.lengths.some(function (lengths) {
        return lengths.length !== refs.length;
      })
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

    // The entries holding a term in a field, in order: the gaps between their numbers, each
    // followed by minus the count where an entry holds the term more than once.
    function eachHolder(number, place, fn) {
      var values = data.postings[number][place];
      var entry = 0;
      for (var i = 0; i < values.length; i++) {
        entry += values[i];
        fn(entry, values[i + 1] < 0 ? -values[++i] : 1);
      }
    }

    // Lunr's posting of a term: its number, then for each field the entries holding it.
    var postings = Object.create(null);
    function posting(term) {
      var number = numberOfTerm.get(term);
      if (number === undefined) return undefined;
      var found = Object.create(null);
      found._index = data.order[number];
      fields.forEach(function (field, place) {
        var holders = Object.create(null);
        eachHolder(number, place, function (entry) {
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
    // from (which carries its position), for the positions Material highlights with.
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
        fields.forEach(function (field, place) {
          eachHolder(number, place, function () {
            documentsWithTerm += 1;
          });
        });
        var x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
        idf[term] = Math.log(1 + Math.abs(x));
      }
      return idf[term];
    }

    // For a query Lunr runs itself (one that excludes: `found` below runs the others): the terms
    // it has read, and for each entry's field the ones it holds, how often.
    var read = new Set();
    var readIn = new Map(); // entry number × number of fields + field's place → [term, count]s
    function reading(term) {
      if (read.has(term)) return;
      read.add(term);
      fields.forEach(function (field, place) {
        eachHolder(numberOfTerm.get(term), place, function (entry, count) {
          var key = entry * fields.length + place;
          var held = readIn.get(key);
          if (held) held.push([term, count]);
          else readIn.set(key, [[term, count]]);
        });
      });
    }

    // lunr.Builder.prototype.createFieldVectors, for one entry's field, with the terms this
    // query has read: a score is a dot product with the query's vector, which holds no other.
    function vector(fieldRef) {
      var ref = lunr.FieldRef.fromString(fieldRef);
      var number = numberOfRef.get(ref.docRef);
      var place = fields.indexOf(ref.fieldName);
      if (number === undefined || place < 0) return undefined;
      return vectorOf(number, place, readIn.get(number * fields.length + place) || []);
    }

    // An entry's field vector, from `held`: [term, how often the field holds it]s.
    function vectorOf(number, place, held) {
      var field = fields[place];
      var length = data.lengths[place][number];
      var fieldBoost = builder._fields[field].boost || 1;
      var docBoost = entries[number][1].boost || 1;
      var made = new lunr.Vector();
      held.forEach(function (termCount) {
        var term = termCount[0];
        var tf = termCount[1];
        var termNumber = numberOfTerm.get(term);
        var score =
          (inverseFrequency(term, termNumber) * ((builder._k1 + 1) * tf)) /
          (builder._k1 * (1 - builder._b + builder._b * (length / average[field])) + tf);
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
        reading,
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
      readIn = new Map();
      Object.keys(vectors).forEach(function (key) {
        delete vectors[key];
      });
      var query = new lunr.Query(this.fields);
      fn.call(query, query);
      var excluding = query.clauses.some(function (clause) {
        return clause.presence === lunr.Query.presence.PROHIBITED;
      });
      // With no clause, Lunr takes the query as excluding nothing, and finds every entry.
      return excluding || !query.clauses.length ? lunr.Index.prototype.query.call(this, fn) : found(this, query);
    };

    // Entries in both; `all` stands for every entry (lunr.Set.complete).
    var all = null;
    function both(a, b) {
      if (a === all) return b;
      if (b === all) return a;
      return new Set(
        Array.from(a).filter(function (entry) {
          return b.has(entry);
        }),
      );
    }

    // lunr.Index.prototype.query, for a query with no clause that excludes (what a reader
    // types, as Material passes it on, and Material's suggestions): the same steps in the
    // same order, so the same results, scores and match data, without the objects Lunr
    // makes for every entry of every term it reads.
    function found(index, query) {
      var REQUIRED = lunr.Query.presence.REQUIRED;
      var queryVectors = Object.create(null);
      fields.forEach(function (field) {
        queryVectors[field] = new lunr.Vector();
      });
      var matching = new Map(); // entry number × number of fields + field's place → its MatchData
      var termFieldDone = new Set();
      var required = Object.create(null); // field → the entries every required clause matched
      query.clauses.forEach(function (clause) {
        var clauseMatches = new Set();
        var terms = clause.usePipeline
          ? index.pipeline.runString(clause.term, { fields: clause.fields })
          : [clause.term];
        terms.some(function (term) {
          clause.term = term; // as Lunr does: the token set is made from the clause
          var expanded = index.tokenSet.intersect(lunr.TokenSet.fromClause(clause)).toArray();
          if (expanded.length === 0 && clause.presence === REQUIRED) {
            clause.fields.forEach(function (field) {
              required[field] = new Set();
            });
            return true; // Lunr's `break`
          }
          expanded.forEach(function (expandedTerm) {
            var number = numberOfTerm.get(expandedTerm);
            clause.fields.forEach(function (field) {
              var place = fields.indexOf(field);
              if (clause.presence === REQUIRED) {
                eachHolder(number, place, function (entry) {
                  clauseMatches.add(entry);
                });
                if (!(field in required)) required[field] = all;
              }
              queryVectors[field].upsert(data.order[number], clause.boost, function (a, b) {
                return a + b;
              });
              if (termFieldDone.has(expandedTerm + "/" + field)) return;
              eachHolder(number, place, function (entry, count) {
                var key = entry * fields.length + place;
                var held = matching.get(key);
                if (held === undefined) matching.set(key, [[expandedTerm, count]]);
                else held.push([expandedTerm, count]);
              });
              termFieldDone.add(expandedTerm + "/" + field);
            });
          });
          return false;
        });
        if (clause.presence === REQUIRED) {
          clause.fields.forEach(function (field) {
            required[field] = both(required[field], clauseMatches);
          });
        }
      });
      var allRequired = all;
      fields.forEach(function (field) {
        if (field in required) allRequired = both(allRequired, required[field]);
      });
      // An entry's match data: Lunr's MatchData of its first field matched, with the
      // others' combined into it, in that order.
      var results = [];
      var matches = new Map();
      matching.forEach(function (held, key) {
        var number = Math.floor(key / fields.length);
        if (allRequired !== all && !allRequired.has(number)) return;
        var place = key % fields.length;
        var field = fields[place];
        // The field's vector holds only the terms read that it holds: no other term is in the
        // query's vector, so none other counts in the score.
        var score = queryVectors[field].similarity(vectorOf(number, place, held));
        var match = matches.get(number);
        if (match === undefined) {
          match = { ref: refs[number], score: score, matchData: new lunr.MatchData() };
          matches.set(number, match);
          results.push(match);
        } else {
          match.score += score;
        }
        var metadata = match.matchData.metadata;
        held.forEach(function (termCount) {
          var term = termCount[0];
          if (metadata[term] === undefined) metadata[term] = Object.create(null);
          if (metadata[term][field] === undefined) metadata[term][field] = Object.create(null);
        });
      });
      return results.sort(function (a, b) {
        return b.score - a.score;
      });
    }

    // Material's map of entries (config/index.ts, setupSearchDocumentMap): the first entry of a
    // page is its article, under the page's address; the others are its sections.
    var article = new Map();
    var articleOf = new Map();
    entries.forEach(function (entry) {
      var location = entry[0].location;
      var page = String(location).split("#")[0];
      if (!article.has(page)) article.set(page, location);
      else articleOf.set(location, article.get(page));
    });

    // The results Material shows first: it ranks them again (search/_/index.ts: a result that
    // is an article, or that matches more of the query's words, rises) and groups them by
    // page. Worked out the same way here, to highlight every result of the first groups.
    function shownFirst(results, query) {
      var words;
      try {
        var parsed = new lunr.Query(["title", "text", "tags"]);
        new lunr.QueryParser(query, parsed).parse();
        words = parsed.clauses
          .filter(function (clause) {
            return clause.presence !== lunr.Query.presence.PROHIBITED;
          })
          .map(function (clause) {
            return clause.term.replace(/^\*/, "").replace(/\*$/, "");
          });
      } catch (error) {
        return null;
      }
      // getSearchQueryTerms (query/_/index.ts): the query's words a result matches (a term of
      // it starts with the word), and those it misses that are not stop words.
      words = Array.from(new Set(words));
      var counted = words.map(function (word) {
        return !!lunr.stopWordFilter(word);
      });
      var ranked = [];
      results.forEach(function (result) {
        var ref = result.ref;
        if (!articleOf.has(ref) && article.get(ref) !== ref) return; // not in Material's map: it skips the result
        var matched = 0;
        var missed = 0;
        for (var w = 0; w < words.length; w++) {
          var hit = false;
          for (var term in result.matchData.metadata) {
            if (term.startsWith(words[w])) {
              hit = true;
              break;
            }
          }
          if (hit) matched += 1;
          else if (counted[w]) missed += 1;
        }
        var boost = +!articleOf.has(ref) + matched / (matched + missed);
        ranked.push({ score: result.score * (1 + Math.pow(boost, 2)), page: articleOf.get(ref) || ref });
      });
      ranked.sort(function (a, b) {
        return b.score - a.score;
      });
      var pages = new Set();
      for (var i = 0; i < ranked.length && pages.size < FIRST_GROUPS; i++) pages.add(ranked[i].page);
      var shown = new Set();
      results.forEach(function (result) {
        if (pages.has(articleOf.get(result.ref) || result.ref)) shown.add(result.ref);
      });
      return shown.size < results.length ? shown : null;
    }

    // Material highlights a result with the positions Lunr keeps for each match: worked out
    // for `only` these results (all, without it); the others get none, and stay plain.
    var none = Object.freeze([]);
    function highlight(results, only) {
      results.forEach(function (result) {
        var number = numberOfRef.get(result.ref);
        var shown = !only || only.has(result.ref);
        var metadata = result.matchData.metadata;
        for (var term in metadata) {
          for (var field in metadata[term]) {
            metadata[term][field].position = shown ? positions(analyse(number, field), term) : none;
          }
        }
      });
    }

    // A search with many results answers twice (see the top of this file): the second time,
    // Material asks for the same query, and takes the same results, all highlighted.
    // The same query asked again before that (the theme may ask twice) gets a first answer
    // again, from the same results.
    var unfinished = null;
    index.search = function (query) {
      var again = unfinished && unfinished.query === query ? unfinished : null;
      unfinished = null;
      if (again && askedAgain) {
        highlight(again.results, null);
        return again.results;
      }
      var results = again ? again.results : lunr.Index.prototype.search.call(this, query);
      var first = asked.message ? again ? again.first : shownFirst(results, query) : null;
      highlight(results, first);
      if (first) {
        unfinished = { query: query, results: results, first: first };
        partial = true; // and asked again once posted
      }
      return results;
    };
    return index;
  }

  var material = new URL(address).searchParams.get("material");
  importScripts(new URL(material, address).href);
})();
