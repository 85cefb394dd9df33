/* One year's search index, built with the site and read by static/search.js: a script rather than
   JSON so that search works from file:// too, where pages cannot fetch. */
(window.NEWSARCHIVE_SEARCH = window.NEWSARCHIVE_SEARCH || []).push({{ search_index|script_json }});
