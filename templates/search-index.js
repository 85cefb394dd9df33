/* The search index, built with the site and read by static/search.js: a script rather than JSON so
   that search works from file:// too, where pages cannot fetch. */
window.NEWSARCHIVE_SEARCH = {{ search_index|script_json }};
