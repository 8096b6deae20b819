"""States: their labels, and the words by which sources and users name them.

One place for what a state is called — its label in the graph, the names,
demonyms and capitals a source may use for it ("Salvadoran", "Washington"),
and how a user's "Kosovo", "xk" or "state-XK" resolves to one ISO code. The
compiler, the evidence check and every ``state`` parameter use it.

Names come from pycountry (ISO 3166-1) plus Kosovo, which has the user-assigned
code ``XK``. The demonyms and capitals below are ordinary English usage (with
the few foreign forms that occur in the project's sources); they are words, not
facts of the graph.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache, lru_cache

__all__ = [
    "KOSOVO", "aliases", "find_states", "is_state_code", "mentions", "resolve_state", "state_label", "suggest_states",
]

KOSOVO = "XK"

# Extra names per ISO code: short and historical names, demonyms (adjective and
# plural), capitals used as metonyms ("Washington and Pristina"), and forms in
# the languages of the sources (pt, es, fr, de, it).
_EXTRA: dict[str, tuple[str, ...]] = {
    "AF": ("Afghan", "Afghans", "Afeganistão", "Afganistán", "Kabul"),
    "AG": ("Antiguan", "Antigua", "Barbudan"),
    "AL": ("Albanian", "Albanians", "Tirana", "Albânia", "Albanien", "Albania"),
    "AM": ("Armenian", "Armenians", "Yerevan"),
    "AO": ("Angolan", "Angolans", "Luanda"),
    "AR": ("Argentine", "Argentinian", "Argentines"),
    "AT": ("Austrian", "Austrians", "Vienna"),
    "AU": ("Australian", "Australians", "Canberra", "Austrália"),
    "AZ": ("Azerbaijani", "Azerbaijanis", "Baku"),
    "BD": ("Bangladeshi", "Bangladeshis", "Dhaka"),
    "BE": ("Belgian", "Belgians", "Brussels"),
    "BF": ("Burkinabe", "Burkinabè"),
    "BG": ("Bulgarian", "Bulgarians"),
    "BI": ("Burundian", "Burundians"),
    "BJ": ("Beninese",),
    "BO": ("Bolivian", "Bolivians"),
    "BR": ("Brazilian", "Brazilians", "Brasil", "Brasília"),
    "BS": ("Bahamian", "Bahamians", "The Bahamas", "Nassau"),
    "BT": ("Bhutanese", "Thimphu"),
    "BY": ("Belarusian", "Belarusians", "Minsk"),
    "BZ": ("Belizean", "Belizeans", "Belmopan"),
    "CA": ("Canadian", "Canadians", "Ottawa"),
    "CD": ("Congolese", "Democratic Republic of Congo", "Democratic Republic of the Congo", "DR Congo", "DRC",
           "Kinshasa"),
    "CG": ("Republic of the Congo", "Congolese", "Brazzaville"),
    "CF": ("Central African",),
    "CH": ("Swiss", "Bern"),
    "CI": ("Ivorian", "Ivory Coast", "Cote d'Ivoire"),
    "CL": ("Chilean", "Chileans"),
    "CM": ("Cameroonian", "Cameroonians", "Yaoundé", "Yaounde", "Camarões", "Kamerun"),
    "CN": ("Chinese", "Beijing", "China"),
    "CO": ("Colombian", "Colombians", "Bogotá", "Bogota"),
    "CR": ("Costa Rican", "Costa Ricans", "San José", "San Jose"),
    "CU": ("Cuban", "Cubans", "Havana"),
    "CV": ("Cape Verde", "Cape Verdean"),
    "CY": ("Cypriot", "Cypriots"),
    "CZ": ("Czech", "Czech Republic", "Czechs", "Prague"),
    "DE": ("German", "Germans", "Berlin", "Deutschland", "Alemanha"),
    "DJ": ("Djiboutian",),
    "DK": ("Danish", "Dane", "Danes", "Copenhagen", "Dinamarca", "Dänemark", "Danimarca"),
    "DM": ("Dominican", "Roseau"),
    "DO": ("Dominicans", "Santo Domingo"),
    "DZ": ("Algerian", "Algerians", "Algiers"),
    "EC": ("Ecuadorian", "Ecuadoran", "Ecuadorians", "Quito", "Equador"),
    "EE": ("Estonian", "Estonians"),
    "EG": ("Egyptian", "Egyptians", "Cairo"),
    "ER": ("Eritrean", "Eritreans", "Asmara"),
    "ES": ("Spanish", "Spaniard", "Spaniards", "Madrid", "España", "Espanha"),
    "ET": ("Ethiopian", "Ethiopians", "Addis Ababa"),
    "FI": ("Finnish", "Finn", "Finns", "Helsinki"),
    "FJ": ("Fijian", "Fijians"),
    "FR": ("French", "Paris", "França", "Frankreich"),
    "GA": ("Gabonese",),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "British", "Britons", "London", "England", "English",
           "Home Office", "Downing Street",
           "Reino Unido", "Großbritannien", "Regno Unito"),
    "GD": ("Grenadian", "Grenadians"),
    "GE": ("Georgian", "Georgians", "Tbilisi"),
    "GH": ("Ghanaian", "Ghanaians", "Accra", "Gana"),
    "GM": ("Gambian", "Gambians", "The Gambia", "Banjul"),
    "GN": ("Guinean", "Guineans", "Conakry"),
    "GQ": ("Equatoguinean", "Equatorial Guinean", "Equatorial Guineans", "Malabo", "Guinea Ecuatorial",
           "Guiné Equatorial"),
    "GR": ("Greek", "Greeks", "Athens", "Grécia"),
    "GT": ("Guatemalan", "Guatemalans", "Guatemala City", "Guatemala"),
    "GW": ("Bissau-Guinean", "Guinea Bissau"),
    "GY": ("Guyanese", "Georgetown"),
    "HN": ("Honduran", "Hondurans", "Tegucigalpa"),
    "HR": ("Croatian", "Croatians", "Croat", "Croats", "Zagreb"),
    "HT": ("Haitian", "Haitians", "Port-au-Prince"),
    "HU": ("Hungarian", "Hungarians", "Budapest"),
    "ID": ("Indonesian", "Indonesians", "Jakarta"),
    "IE": ("Irish", "Dublin"),
    "IL": ("Israeli", "Israelis", "Jerusalem", "Tel Aviv"),
    "IN": ("Indian", "Indians", "New Delhi", "Delhi"),
    "IQ": ("Iraqi", "Iraqis", "Baghdad"),
    "IR": ("Iranian", "Iranians", "Tehran", "Persian"),
    "IS": ("Icelandic", "Icelander", "Icelanders", "Reykjavik"),
    "IT": ("Italian", "Italians", "Rome", "Italia", "Itália", "Italien"),
    "JM": ("Jamaican", "Jamaicans", "Kingston"),
    "JO": ("Jordanian", "Jordanians", "Amman"),
    "JP": ("Japanese", "Tokyo"),
    "KE": ("Kenyan", "Kenyans", "Nairobi"),
    "KG": ("Kyrgyz", "Kyrgyzstani", "Kirghiz", "Bishkek", "Kyrgyz Republic"),
    "KH": ("Cambodian", "Cambodians", "Phnom Penh"),
    "KN": ("Kittitian", "Nevisian", "St. Kitts and Nevis", "St Kitts and Nevis", "Saint Kitts", "St. Kitts"),
    "KP": ("North Korean", "North Koreans", "Pyongyang"),
    "KR": ("South Korean", "South Koreans", "Seoul"),
    "KW": ("Kuwaiti", "Kuwaitis"),
    "KZ": ("Kazakh", "Kazakhs", "Kazakhstani", "Astana"),
    "LA": ("Laotian", "Laotians", "Lao", "Vientiane"),
    "LB": ("Lebanese", "Beirut"),
    "LC": ("St. Lucia", "Saint Lucian", "St Lucia"),
    "LK": ("Sri Lankan", "Sri Lankans", "Colombo"),
    "LR": ("Liberian", "Liberians", "Monrovia"),
    "LS": ("Basotho", "Mosotho", "Maseru"),
    "LT": ("Lithuanian", "Lithuanians", "Vilnius"),
    "LY": ("Libyan", "Libyans", "Tripoli", "Benghazi", "Líbia"),
    "MA": ("Moroccan", "Moroccans", "Rabat"),
    "MD": ("Moldovan", "Moldovans", "Chisinau"),
    "ME": ("Montenegrin", "Montenegrins"),
    "MG": ("Malagasy",),
    "MK": ("Macedonian", "Macedonians", "Skopje", "Macedonia"),
    "ML": ("Malian", "Malians", "Bamako"),
    "MM": ("Burmese", "Burma", "Myanmarese", "Naypyidaw"),
    "MN": ("Mongolian", "Mongolians", "Ulaanbaatar"),
    "MR": ("Mauritanian", "Mauritanians", "Nouakchott"),
    "MU": ("Mauritian", "Mauritians"),
    "MW": ("Malawian", "Malawians"),
    "MX": ("Mexican", "Mexicans", "Mexico City", "México"),
    "MY": ("Malaysian", "Malaysians", "Kuala Lumpur"),
    "MZ": ("Mozambican", "Mozambicans", "Maputo"),
    "NA": ("Namibian", "Namibians"),
    "NE": ("Nigerien", "Nigeriens", "Niamey"),
    "NG": ("Nigerian", "Nigerians", "Abuja", "Lagos"),
    "NI": ("Nicaraguan", "Nicaraguans", "Managua"),
    "NL": ("Dutch", "Holland", "The Hague", "Amsterdam", "Países Baixos", "Niederlande", "Paesi Bassi"),
    "NO": ("Norwegian", "Norwegians", "Oslo"),
    "NP": ("Nepali", "Nepalese", "Nepalis", "Kathmandu"),
    "NR": ("Nauruan", "Nauruans"),
    "NZ": ("New Zealander", "New Zealanders", "Wellington"),
    "OM": ("Omani", "Omanis"),
    "PA": ("Panamanian", "Panamanians", "Panama City", "Panamá"),
    "PE": ("Peruvian", "Peruvians", "Lima"),
    "PG": ("Papua New Guinean", "Papua New Guineans", "PNG", "Port Moresby", "Manus"),
    "PH": ("Filipino", "Filipinos", "Philippine", "Manila"),
    "PK": ("Pakistani", "Pakistanis", "Islamabad"),
    "PL": ("Polish", "Pole", "Poles", "Warsaw"),
    "PS": ("Palestinian", "Palestinians", "Palestine", "Gaza", "West Bank"),
    "PT": ("Portuguese", "Lisbon"),
    "PW": ("Palauan", "Palauans", "Ngerulmud"),
    "PY": ("Paraguayan", "Paraguayans", "Asunción", "Asuncion"),
    "QA": ("Qatari", "Qataris", "Doha"),
    "RO": ("Romanian", "Romanians", "Bucharest"),
    "RS": ("Serbian", "Serbians", "Serb", "Serbs", "Belgrade", "Sérvia", "Serbien"),
    "RU": ("Russia", "Russian", "Russians", "Moscow"),
    "RW": ("Rwandan", "Rwandans", "Kigali", "Ruanda"),
    "SA": ("Saudi", "Saudis", "Riyadh"),
    "SD": ("Sudanese", "Khartoum"),
    "SE": ("Swedish", "Swede", "Swedes", "Stockholm"),
    "SL": ("Sierra Leonean", "Sierra Leoneans", "Freetown"),
    "SN": ("Senegalese", "Dakar"),
    "SO": ("Somali", "Somalis", "Somalian", "Mogadishu"),
    "SR": ("Surinamese", "Paramaribo"),
    "SS": ("South Sudanese", "Juba", "Sudão do Sul", "Südsudan"),
    "SV": ("Salvadoran", "Salvadorans", "Salvadorian", "Salvadorean", "San Salvador"),
    "SY": ("Syrian", "Syrians", "Damascus"),
    "SZ": ("Swazi", "Swazis", "Swaziland", "Mbabane", "Lobamba", "Essuatíni", "Suazilândia", "eSwatini"),
    "TD": ("Chadian", "Chadians", "N'Djamena"),
    "TG": ("Togolese", "Lomé", "Lome"),
    "TH": ("Thai", "Thais", "Bangkok"),
    "TJ": ("Tajik", "Tajiks", "Tajikistani", "Dushanbe"),
    "TL": ("East Timor", "Timorese"),
    "TM": ("Turkmen", "Ashgabat"),
    "TN": ("Tunisian", "Tunisians", "Tunis"),
    "TR": ("Turkey", "Turkish", "Turk", "Turks", "Ankara", "Turquia", "Türkei", "Turchia"),
    "TT": ("Trinidadian", "Trinidadians", "Trinidad", "Tobagonian", "Port of Spain"),
    "TW": ("Taiwanese", "Taipei"),
    "TZ": ("Tanzanian", "Tanzanians", "Dodoma", "Dar es Salaam"),
    "UA": ("Ukrainian", "Ukrainians", "Kyiv", "Kiev"),
    "UG": ("Ugandan", "Ugandans", "Kampala"),
    "US": ("U.S.", "US", "USA", "U.S.A.", "United States of America", "America", "American", "Americans",
           "Washington", "Trump", "Trump administration", "Biden administration", "Obama administration", "White House",
           "Department of Homeland Security", "Homeland Security", "DHS", "ICE", "State Department",
           "Department of State", "Estados Unidos", "EUA", "EE.UU.", "Vereinigte Staaten", "Stati Uniti", "Etats-Unis",
           "États-Unis"),
    "UY": ("Uruguayan", "Uruguayans", "Montevideo"),
    "UZ": ("Uzbek", "Uzbeks", "Uzbekistani", "Tashkent"),
    "VE": ("Venezuelan", "Venezuelans", "Caracas"),
    "VN": ("Vietnamese", "Viet Nam", "Hanoi"),
    "XK": ("Kosovar", "Kosovars", "Kosovan", "Kosovans", "Kosova", "Kosovo", "Pristina", "Prishtina",
           "Prishtinë"),
    "YE": ("Yemeni", "Yemenis", "Sanaa", "Sana'a"),
    "ZA": ("South African", "South Africans", "Pretoria", "Cape Town", "Johannesburg"),
    "ZM": ("Zambian", "Zambians", "Lusaka"),
    "ZW": ("Zimbabwean", "Zimbabweans", "Harare"),
}

# Words that are a state's name but mostly mean something else in English text.
_AMBIGUOUS = {"Georgia", "Jordan", "Chad", "Guinea", "Niger", "Turkey", "Dominican", "Georgetown", "Kingston",
              "English", "French", "Lima", "Victoria", "America", "American", "Americans", "Lao", "Delhi",
              "Washington", "Trump", "Lagos", "Manus", "Trinidad", "Polish", "Pole", "Poles", "Swiss", "Thai",
              "Lebanese", "Mali", "Congolese"}
"""Matched only as whole words with a capital, and never counted when found inside a longer name."""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[’‘`]", "'", text).casefold()


def is_state_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code pycountry knows, or ``XK`` (Kosovo)."""
    return state_label(code) is not None


@cache
def state_label(code: str) -> str | None:
    """The English label of a state (pycountry's common name), or None for an unknown code."""
    if code == KOSOVO:
        return "Kosovo"
    if not re.fullmatch(r"[A-Z]{2}", code):
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


def _subdivisions(code: str) -> tuple[str, ...]:
    """The states of the United States name places in it ("Alexandria in Louisiana")."""
    if code != "US":
        return ()
    import pycountry

    return tuple(str(s.name) for s in pycountry.subdivisions.get(country_code="US") or ()
                 if s.type == "State" and s.name != "Georgia")


@cache
def aliases(code: str) -> tuple[str, ...]:
    """Every word a source may use for the state ``code``: names, demonyms, capitals."""
    names: list[str] = []
    label = state_label(code)
    if label is None:
        return ()
    names.append(label)
    if code != KOSOVO:
        import pycountry

        country = pycountry.countries.get(alpha_2=code)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.append(str(value))
                # "Congo, The Democratic Republic of the" → "Democratic Republic of the Congo"
                if ", " in str(value):
                    head, tail = str(value).split(", ", 1)
                    names.append(f"{tail} {head}".replace("the the", "the"))
                    names.append(head)
    names.extend(_EXTRA.get(code, ()))
    names.extend(_subdivisions(code))
    return tuple(dict.fromkeys(n for n in names if n))


@lru_cache(maxsize=1)
def _alias_index() -> tuple[tuple[str, str, str], ...]:
    """(normalised alias, code, alias as written), longest first so "South Sudan" beats "Sudan"."""
    import pycountry

    codes = sorted({c.alpha_2 for c in pycountry.countries} | {KOSOVO})
    rows = [(_norm(a), code, a) for code in codes for a in aliases(code)]
    rows.sort(key=lambda r: (-len(r[0]), r[0], r[1]))
    return tuple(rows)


@lru_cache(maxsize=1)
def _alias_pattern() -> re.Pattern[str]:
    words = sorted({a for _n, _c, a in _alias_index()}, key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])")


@lru_cache(maxsize=1)
def _codes_by_alias() -> dict[str, list[str]]:
    """Alias as written → the codes it names (made once: ``find_states`` runs for every quote)."""
    by_alias: dict[str, list[str]] = {}
    for _n, code, alias in _alias_index():
        by_alias.setdefault(alias, []).append(code)
    return by_alias


def find_states(text: str, *, strict: bool = True) -> dict[str, list[str]]:
    """The states named in ``text``: ISO code → the words that named it, in order.

    Matching is on whole words, longest first ("Papua New Guinea" is not Guinea).
    All-capital codes such as "US" and "UK" match only in capitals, so "us" the
    pronoun is not the United States. With ``strict``, words that are usually not
    a state ("Georgia", "Turkey" …, see ``_AMBIGUOUS``) are ignored; the evidence
    check uses ``strict=False`` when it looks for a state it already expects.
    """
    by_alias = _codes_by_alias()
    found: dict[str, list[str]] = {}
    folded = unicodedata.normalize("NFC", text).replace("’", "'")
    for match in _alias_pattern().finditer(folded):
        word = match.group(0)
        if strict and word in _AMBIGUOUS:
            continue
        codes = by_alias.get(word, [])
        if len(set(codes)) != 1:
            continue  # a word two states share (e.g. "Congolese") names neither for sure
        found.setdefault(codes[0], []).append(word)
    return found


def mentions(text: str, code: str) -> str | None:
    """The first word of ``text`` that names state ``code`` (case as aliases are written), or None."""
    folded = unicodedata.normalize("NFC", text).replace("’", "'")
    for alias in sorted(aliases(code), key=len, reverse=True):
        pattern = rf"(?<![\w]){re.escape(alias)}(?![\w])"
        flags = 0 if (alias.isupper() or alias in _AMBIGUOUS or len(alias) <= 4) else re.IGNORECASE
        match = re.search(pattern, folded, flags)
        if match:
            return match.group(0)
    return None


def resolve_state(name: str) -> str | None:
    """The ISO code a user means by ``name`` ("Kosovo", "xk", "state-XK", "Salvadoran"), or None.

    Case-insensitive; accents optional; an ambiguous demonym resolves to nothing.
    """
    text = name.strip()
    if text.startswith("state-"):
        text = text[len("state-"):]
    if re.fullmatch(r"[A-Za-z]{2}", text) and is_state_code(text.upper()):
        return text.upper()
    key = _norm(text)
    codes = {code for n, code, _a in _alias_index() if n == key}
    return codes.pop() if len(codes) == 1 else None


def suggest_states(name: str, *, limit: int = 3) -> list[str]:
    """Close matches for a name that resolved to nothing, as ``"Kosovo (XK)"``."""
    key = _norm(name.strip())
    names = {n: code for n, code, _a in _alias_index()}
    close = difflib.get_close_matches(key, list(names), n=limit * 3, cutoff=0.75)
    out: list[str] = []
    for n in close:
        code = names[n]
        label = f"{state_label(code)} ({code})"
        if label not in out:
            out.append(label)
    return out[:limit]
