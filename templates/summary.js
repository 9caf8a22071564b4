/*
 * iamgrade's summary: sort, filter and search the tables, offline, from
 * this one file.  The page is whole without it (every table is in the
 * markup); the page's Content-Security-Policy allows this script by its
 * hash and nothing else.  Names from AWS are only ever read and written as
 * textContent, never as markup.
 */
(function () {
	"use strict";
	var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
	var text = function (el) { return (el ? el.textContent : "").replace(/\s+/g, " ").trim(); };
	/* A number when the cell starts with one (scores, counts, shares), else null. */
	var num = function (s) {
		var m = /^[+\u2212\-]?\d+(\.\d+)?/.exec(s);
		return m ? parseFloat(m[0].replace("\u2212", "-")) : null;
	};

	each(document.querySelectorAll("table.sortable"), function (t) {
		if (!t.tHead || !t.tBodies.length)
			return;
		var heads = t.tHead.rows[0].cells;
		each(heads, function (th, col) {
			var sort = function () {
				var asc = th.getAttribute("aria-sort") !== "ascending";
				var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
				each(heads, function (h) { h.removeAttribute("aria-sort"); });
				th.setAttribute("aria-sort", asc ? "ascending" : "descending");
				rows.sort(function (a, b) {
					var x = text(a.cells[col]), y = text(b.cells[col]);
					var nx = num(x), ny = num(y), r;
					r = nx !== null && ny !== null ? nx - ny : x.localeCompare(y);
					return asc ? r : -r;
				});
				rows.forEach(function (r) { body.appendChild(r); });
			};
			th.tabIndex = 0;
			th.classList.add("sort");
			th.addEventListener("click", sort);
			th.addEventListener("keydown", function (e) {
				if (e.key === "Enter" || e.key === " ") {
					e.preventDefault();
					sort();
				}
			});
		});
	});

	/*
	 * Every other table.filterable gets a bar of its own: a search box and,
	 * per column head marked data-filter, a choice of that column's values.
	 */
	var make = function (tag, cls, txt) {
		var el = document.createElement(tag);
		if (cls)
			el.className = cls;
		if (txt !== undefined)
			el.textContent = txt;
		return el;
	};
	each(document.querySelectorAll("table.filterable"), function (t) {
		if (t.id === "t-accounts" || !t.tHead || !t.tBodies.length)
			return;
		var rows = Array.prototype.slice.call(t.tBodies[0].rows), sels = [];
		var bar = make("div", "filters"), q = make("input"), count = make("span", "small muted");
		bar.setAttribute("role", "search");
		bar.setAttribute("data-for", t.id);
		var apply = function () {
			var shown = 0;
			var words = q.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
			rows.forEach(function (r) {
				var all = text(r).toLowerCase();
				var ok = words.every(function (w) { return all.indexOf(w) >= 0; }) &&
				    sels.every(function (s) {
					return s.value === "" || text(r.cells[+s.getAttribute("data-col")]) === s.value;
				    });
				r.hidden = !ok;
				shown += ok ? 1 : 0;
			});
			count.textContent = shown + " of " + rows.length + " rows shown";
		};
		each(t.tHead.rows[0].cells, function (th, col) {
			if (!th.hasAttribute("data-filter"))
				return;
			var s = make("select"), seen = {}, label = make("label", "", text(th) + " ");
			s.appendChild(make("option", "", "all")).value = "";
			rows.forEach(function (r) { seen[text(r.cells[col])] = true; });
			Object.keys(seen).sort().forEach(function (v) {
				s.appendChild(make("option", "", v)).value = v;
			});
			s.setAttribute("data-col", col);
			s.addEventListener("change", apply);
			label.appendChild(s);
			bar.appendChild(label);
			sels.push(s);
		});
		q.type = "search";
		q.placeholder = "search this table";
		q.setAttribute("aria-label", "Search this table");
		q.addEventListener("input", apply);
		bar.appendChild(make("label", "", "Search ")).appendChild(q);
		bar.appendChild(count);
		var at = t.parentNode.classList.contains("table-scroll") ? t.parentNode : t;
		at.parentNode.insertBefore(bar, at);
		apply();
	});

	var form = document.getElementById("filters"), table = document.getElementById("t-accounts");
	if (!form || !table || !table.tBodies.length)
		return;
	var sel = document.getElementById("f-ou"), q = document.getElementById("f-q");
	var count = document.getElementById("f-count");
	var rows = Array.prototype.slice.call(table.tBodies[0].rows), ous = {};
	rows.forEach(function (r) {
		var p = r.getAttribute("data-ou") || "/";
		/* The OU and every OU above it: filtering by /Prod shows /Prod/Pay too. */
		ous[p] = true;
		while (p.lastIndexOf("/") > 0) {
			p = p.slice(0, p.lastIndexOf("/"));
			ous[p] = true;
		}
	});
	Object.keys(ous).sort().forEach(function (p) {
		var o = document.createElement("option");
		o.value = p;
		o.textContent = p;
		sel.appendChild(o);
	});
	var under = function (p, pre) {
		return pre === "" || pre === "/" || p === pre || p.indexOf(pre + "/") === 0;
	};
	var apply = function () {
		var pre = sel.value, shown = 0;
		var words = q.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
		rows.forEach(function (r) {
			var t = text(r).toLowerCase();
			var ok = under(r.getAttribute("data-ou") || "/", pre) &&
			    words.every(function (w) { return t.indexOf(w) >= 0; });
			r.hidden = !ok;
			shown += ok ? 1 : 0;
		});
		count.textContent = shown + " of " + rows.length + " accounts shown";
	};
	sel.addEventListener("change", apply);
	q.addEventListener("input", apply);
	form.hidden = false;
	apply();
})();
