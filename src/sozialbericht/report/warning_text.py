"""The methods appendix of the early-warning system (German Markdown), generated from its configuration."""

from __future__ import annotations

import math

import pandas as pd

from sozialbericht import fmt, style
from sozialbericht.analysis.warning import SEVERITY, TREND_METHODS, TREND_NAMES, Result, Rule, WarningConfig
from sozialbericht.analysis.warning.rules import _interval_label, format_change, format_value
from sozialbericht.analysis.warning.stats import _z

DIRECTION_TEXT = {"higher_worse": "höherer Wert ungünstiger", "higher_better": "höherer Wert günstiger"}
CI_TEXT = {
    "wilson": "Wilson-Intervall (Anteil)",
    "poisson": "Poisson-Intervall nach Byar (Rate)",
    "none": "kein Intervall (keine Zählgrößen veröffentlicht)",
}


def _num(value: float, decimals: int = 2) -> str:
    text = fmt.number(value, decimals)
    return text.replace("-", "−")


def _class_table(thresholds: list[float], classes: list[str], title: str) -> list[str]:
    lines = [f"| {title} | Indexwert |", "|---|---|"]
    for position, name in enumerate(classes):
        low = thresholds[position - 1] if position > 0 else None
        high = thresholds[position] if position < len(thresholds) else None
        if low is None:
            text = f"unter {_num(high)}"
        elif high is None:
            text = f"ab {_num(low)}"
        else:
            text = f"{_num(low)} bis unter {_num(high)}"
        lines.append(f"| {name} | {text} |")
    return lines


def describe_rule(rule: Rule, config: WarningConfig) -> str:
    """A rule in words (German)."""
    indicator = config.indicator(rule.indicator)
    level = rule.confidence or config.confidence
    worse = "höher" if rule.direction == "higher_worse" else "niedriger"
    if rule.type == "worse_than_city":
        text = (
            f"{indicator.short}: signifikant ungünstiger als der Stadtwert (das {_interval_label(level)} des "
            f"Ortsteils liegt ganz {'über' if worse == 'höher' else 'unter'} dem Stadtwert)"
        )
        if rule.min_difference:
            text += f" und mindestens {format_change(indicator, rule.min_difference).lstrip('+')} Abstand"
        return text + f"; Benjamini-Hochberg über die Ortsteile, q < {_alpha(rule.alpha)}"
    if rule.type == "worsening_trend":
        method = TREND_NAMES[TREND_METHODS[config.ci_method(rule.indicator)]]
        text = (
            f"{indicator.short}: signifikanter Trend zu {worse}en (ungünstigeren) Werten über die letzten "
            f"{rule.years} Werte "
            f"({method}, zweiseitig, α = {fmt.number(rule.alpha, 3).rstrip('0').rstrip(',')})"
        )
        if rule.min_change:
            text += (
                f" und eine Veränderung vom ersten zum letzten dieser Werte um mindestens "
                f"{format_change(indicator, rule.min_change).lstrip('+')}"
            )
        if rule.overdispersion and method != TREND_NAMES["mann_kendall"]:
            text += "; Schwankungen über den Zufall hinaus (Überdispersion) berücksichtigt"
        return text + f"; Benjamini-Hochberg über die Ortsteile, q < {_alpha(rule.alpha)}"
    side = "über" if worse == "höher" else "unter"
    text = f"{indicator.short}: Wert {side} dem Schwellenwert von {format_value(indicator, rule.value)}"
    if rule.significant:
        text += (
            f" (das ganze {_interval_label(level)} {side} dem Schwellenwert; Benjamini-Hochberg über die "
            f"Ortsteile, q < {_alpha(rule.alpha)})"
        )
    return text


def method_text(config: WarningConfig, result: Result | None = None, derivation: dict | None = None) -> str:
    """The methods appendix (German Markdown, MyST math) generated from the configuration and the
    edition's results (correlations, simulation, backtest, inactive rules: all computed in the build)."""
    level = _interval_label(config.confidence)
    conf_pct = fmt.number(config.confidence * 100, 0)
    z_value = fmt.number(_z(config.confidence), 3)
    index_rows = ["| Indikator | Definition | Richtung | Gewicht | Statistik |", "|---|---|---|---|---|"]
    for item in config.index:
        indicator = config.indicator(item.id)
        extra = f"; Nenner mindestens {fmt.number(item.min_denominator)}" if item.min_denominator else ""
        index_rows.append(
            f"| {indicator.title} (`{item.id}`) | {indicator.definition} | "
            f"{DIRECTION_TEXT[item.direction]} | {fmt.number(item.weight, 1)} | "
            f"{CI_TEXT[config.ci_method(item.id)]}{extra} |"
        )
    derived = [
        f"- {config.indicator(i).title}: veröffentlichter Anteil ohne Nenner; als Zähler dient "
        f"„{s.count.feature}“ (Datensatz `{s.count.dataset}`), der Nenner wird als "
        f"Zähler / (Anteil / {fmt.number(s.scale)}) zurückgerechnet und auf ganze Personen gerundet."
        for i, s in config.statistics.items()
        if s.count is not None
    ]
    attention = []
    for entry in config.attention:
        parts = []
        if entry.status:
            parts.append("Status " + " oder ".join(f"„{c}“" for c in entry.status))
        if entry.dynamics:
            parts.append("Dynamik " + " oder ".join(f"„{c}“" for c in entry.dynamics))
        attention.append(f"- {' und '.join(parts)} (Stufe: {SEVERITY[entry.severity]})")
    inactive = set(result.inactive["entry"]) if result is not None and len(result.inactive) else set()
    rules = [
        f"- {describe_rule(r, config)} – {SEVERITY[r.severity]}"
        + (
            " (**inaktiv** in dieser Ausgabe, siehe unten)"
            if f"rules entry {r.number} ({r.indicator})" in inactive
            else ""
        )
        for r in config.rules
    ]
    weighting = (
        "mit der Einwohnerzahl $w_i$ des Ortsteils gewichtet"
        if config.weighted
        else "ungewichtet ($w_i = 1$ für jeden Ortsteil)"
    )
    period = config.dynamics_period
    text = f"""
## Frühwarnsystem: Methode

Das Frühwarnsystem folgt dem Berliner *Monitoring Soziale Stadtentwicklung* (Status und Dynamik
weniger Indexindikatoren, standardisiert, in Klassen eingeteilt) und dem Hamburger
*Sozialmonitoring* (kleine Gebiete werden nicht eingestuft). Wie die englischen *Fingertips*-Profile
vergleicht es zusätzlich jeden Ortsteil über Konfidenzintervalle mit dem Stadtwert und prüft Trends
statistisch, damit kleine Ortsteile nicht wegen Zufallsschwankungen markiert werden. Alle
Festlegungen stehen in der Konfiguration des Frühwarnsystems (Anhang „Technische Angaben“); dieser
Abschnitt wird aus ihr erzeugt.

### Datenstand

Für ein Berichtsjahr $J$ wird je Indikator der letzte Jahrgang $j \\le J$ verwendet, für den ein
Stadtwert und Ortsteilwerte vorliegen. Ist $J - j$ größer als {config.max_data_age} Jahre, bleibt der
Indikator in diesem Berichtsjahr unberücksichtigt. Der Bericht nennt den verwendeten Jahrgang.

### Index: Status und Dynamik

Indexindikatoren:

{chr(10).join(index_rows)}

{_index_choice(config, result, derivation)}

Ortsteile mit weniger als {fmt.number(config.min_population)} {style.persons("Einwohner", "dat")} (Stand: Berichtsjahr oder
letzter Jahrgang davor) sowie Ortsteile, bei denen der Nenner eines Indexindikators im verwendeten
Jahrgang oder im Vergleichsjahr der Dynamik unter der angegebenen Mindestzahl liegt, gelten als
*zu klein für eine stabile Quote*: Sie werden ausgewiesen, aber nicht eingestuft und gehen nicht in
Mittelwert und Standardabweichung ein. Ortsteile unter der Mindesteinwohnerzahl werden auch von
keiner Regel markiert; für die übrigen gelten die Regeln weiter, weil Konfidenzintervalle und
Trendtests kleine Zahlen bereits berücksichtigen.

**Status.** Für jeden Indexindikator $k$ mit Wert $x_{{ik}}$ im Ortsteil $i$ wird über die
eingestuften Ortsteile {weighting} standardisiert (Einwohnerzahl im Berichtsjahr oder im letzten
Jahrgang davor):

$$\\bar x_k = \\frac{{\\sum_i w_i x_{{ik}}}}{{\\sum_i w_i}}, \\qquad
s_k = \\sqrt{{\\frac{{\\sum_i w_i (x_{{ik}} - \\bar x_k)^2}}{{\\sum_i w_i}}}}, \\qquad
z_{{ik}} = d_k \\, \\frac{{x_{{ik}} - \\bar x_k}}{{s_k}}$$

mit $d_k = +1$, wenn ein höherer Wert ungünstiger ist, und $d_k = -1$ sonst. Der Statusindex ist
das mit den Gewichten $g_k$ gewichtete Mittel $S_i = \\sum_k g_k z_{{ik}} / \\sum_k g_k$, das auf
dieselbe Weise noch einmal standardisiert wird (Mittel 0, Standardabweichung 1). Ein höherer
Indexwert bedeutet stärkere Benachteiligung; die erste Statusklasse („{config.status_classes[0]}“) ist
daher die günstigste, die letzte („{config.status_classes[-1]}“) die ungünstigste. Fehlt einem
Ortsteil ein Indexwert, wird er nicht eingestuft.

**Dynamik.** Veränderungen kleiner Ortsteile schwanken zufällig stark; das frühere Verfahren
(standardisierte Veränderungen) stufte deshalb vor allem kleine Ortsteile als „negativ“ ein. Die
Dynamik wird daher so berechnet, dass eine Veränderung nur zählt, wenn sie sich vom Zufall
unterscheidet:

1. Für jeden Indexindikator $k$ ist $d_{{ik}} = \\Delta_{{ik}} - \\Delta_k^{{\\text{{Stadt}}}}$ die Abweichung der
   Veränderung des Ortsteils über {period} Jahre von der Veränderung der Stadt. Ihre
   Stichprobenvarianz ist $v_{{ik}} = \\varphi_k \\left(\\frac{{p_1(1-p_1)}}{{n_1}} + \\frac{{p_0(1-p_0)}}{{n_0}}\\right)$
   (Anteile $p$ und Nenner $n$ beider Jahre, mal 100²). Der Dispersionsfaktor $\\varphi_k \\ge 1$ ist der
   Median der Pearson-Dispersion der Ortsteile um ihren linearen Trend in den letzten sechs Jahren:
   Er erfasst die Schwankung über den Binomialzufall hinaus (Haushalte statt Einzelpersonen, Umzüge).
2. **Empirical-Bayes-Schrumpfung:** Die wahre Streuung der Abweichungen zwischen den Ortsteilen wird
   mit der Momentenmethode geschätzt, $\\hat\\tau_k^2 = \\max(0, \\overline{{d^2}} - \\overline{{v}})$, und jede
   Abweichung mit $B_{{ik}} = \\hat\\tau_k^2 / (\\hat\\tau_k^2 + v_{{ik}})$ zur Veränderung der Stadt hin
   geschrumpft. Eine Abweichung, die kaum größer als ihr Zufallsfehler ist, wird fast ganz
   zurückgenommen; große Ortsteile mit kleinem Fehler behalten ihre Abweichung.
3. Der **Dynamikindex** ist das gewichtete Mittel der geschrumpften Abweichungen $B_{{ik}} d_{{ik}} / s_k$
   ($s_k$: gewichtete mittlere quadratische Abweichung der Ortsteile von der Veränderung der Stadt).
   Er wird nicht erneut standardisiert: Ohne echte Unterschiede liegt er bei allen Ortsteilen nahe 0,
   statt dass stets ein Sechstel der Ortsteile als „negativ“ gilt.
4. **Test:** $z_{{ik}} = d_{{ik}} / \\sqrt{{v_{{ik}}}}$, zweiseitiger p-Wert, Benjamini-Hochberg über die
   eingestuften Ortsteile je Indikator und Bonferroni über die {len(config.index)} Indikatoren
   ($q_i = \\min_k {len(config.index)}\\, q_{{ik}}$). „{config.dynamics_classes[-1]}“ bzw. „{config.dynamics_classes[0]}“
   setzt voraus, dass der Dynamikindex die Schwelle erreicht **und** mindestens ein Indikator in
   dieselbe Richtung mit $q < {_alpha(config.dynamics_alpha)}$ gesichert ist; sonst gilt „{_middle(config)}“.

Warum diese Wahl: Die Schrumpfung macht den Index (und die Karte) ruhig, der Test mit Kontrolle der
Rate falscher Entdeckungen sorgt dafür, dass keine Klasse an einer einzelnen zufälligen Schwankung
hängt. Der Zeitraum von {period} Jahren ist länger als die zwei Jahre des Berliner Monitorings:
Der Zufallsfehler einer Veränderung wächst nicht mit dem Zeitraum, eine echte Entwicklung schon.

{_dynamics_numbers(config, result)}

**Klassen.** Ein Indexwert genau auf einer Schwelle gehört zur oberen Klasse.

{chr(10).join(_class_table(config.status_thresholds, config.status_classes, "Status"))}

{chr(10).join(_class_table(config.dynamics_thresholds, config.dynamics_classes, "Dynamik"))}

Die Gruppe eines Ortsteils ist die Kombination „Status … / Dynamik …“. **Besonderer
Aufmerksamkeitsbedarf** besteht bei:

{chr(10).join(attention) if attention else "- (keine Regel festgelegt)"}

### Konfidenzintervalle und Vergleich mit der Stadt

Für Anteile aus Zählgrößen (Zähler $x$, Nenner $n$, $\\hat p = x/n$) wird das Wilson-Intervall
zum Niveau {conf_pct} % berechnet ($z = {z_value}$):

$$\\frac{{\\hat p + \\frac{{z^2}}{{2n}} \\pm z \\sqrt{{\\frac{{\\hat p (1-\\hat p)}}{{n}} + \\frac{{z^2}}{{4n^2}}}}}}{{1 + \\frac{{z^2}}{{n}}}}$$

Für Raten, deren Zähler Ereignisse sind (z. B. Straftaten je 1.000 Einwohner/-innen), gilt
das Poisson-Intervall nach Byar:
$x_u = x\\,(1 - \\frac{{1}}{{9x}} - \\frac{{z}}{{3\\sqrt{{x}}}})^3$,
$x_o = (x+1)\\,(1 - \\frac{{1}}{{9(x+1)}} + \\frac{{z}}{{3\\sqrt{{x+1}}}})^3$, geteilt durch $n$.
Beide Grenzen werden mit dem Faktor des Indikators (100 bzw. 1.000) multipliziert.

{chr(10).join(derived)}

Werte der Bürgerumfrage und andere veröffentlichte Werte ohne Zählgrößen haben kein Intervall;
ihr Stadtvergleich ist „nicht prüfbar“.

Der Stadtwert gilt wie bei *Fingertips* als feste Bezugsgröße. Ein Ortsteil ist *signifikant
schlechter*, wenn sein ganzes {level} auf der ungünstigen Seite des Stadtwerts liegt,
*signifikant besser*, wenn es ganz auf der günstigen Seite liegt, sonst *ähnlich*.

### Trendtest

Geprüft werden die letzten $T$ vorliegenden Werte eines Ortsteils bis zum verwendeten Jahrgang
(Jahre $t_j$ als Scores).

- **Cochran-Armitage-Test** (Anteile mit Zähler $x_j$ und Nenner $n_j$): mit $N = \\sum n_j$,
  $\\bar p = \\sum x_j / N$, $\\bar t = \\sum n_j t_j / N$ ist
  $U = \\sum_j x_j (t_j - \\bar t)$, $\\operatorname{{Var}}(U) = \\bar p (1 - \\bar p) \\sum_j n_j (t_j - \\bar t)^2$
  und $Z = U / \\sqrt{{\\operatorname{{Var}}(U)}}$ standardnormalverteilt.
- **Poisson-Trendtest** (Raten von Ereignissen): wie oben, aber
  $\\operatorname{{Var}}(U) = \\bar p \\sum_j n_j (t_j - \\bar t)^2$ (Score-Test eines log-linearen
  Poisson-Modells).
- **Mann-Kendall-Test** (Werte ohne Zählgrößen): $S = \\sum_{{j<k}} \\operatorname{{sgn}}(x_k - x_j)$;
  ohne Bindungen und bis zu zehn Werten wird der p-Wert exakt aus der Verteilung von $S$ unter
  Zufallsreihenfolge berechnet, sonst mit der Normalapproximation (Bindungskorrektur,
  Stetigkeitskorrektur).

Der p-Wert ist zweiseitig; eine Regel greift, wenn er unter $\\alpha$ liegt und der Trend in die
ungünstige Richtung zeigt. Als Trend je Jahr wird die mit $n_j$ gewichtete Regressionssteigung
(Cochran-Armitage, Poisson) bzw. die Steigung nach Sen (Median der paarweisen Steigungen,
Mann-Kendall) angegeben. Weil ein kleiner Nenner die Varianz erhöht, wird ein kleiner Ortsteil
mit stark schwankender Quote seltener als signifikant markiert.

Zählwerte schwanken von Jahr zu Jahr oft stärker, als das Binomial- oder Poisson-Modell annimmt
(Überdispersion: Umzüge ganzer Familien, neue Wohnanlagen, Änderungen der Zählweise); am
stärksten wirkt das in großen Ortsteilen, deren Zufallsschwankung nach dem Modell klein ist.
Deshalb wird aus den Abweichungen der $T$ Werte von der gewichteten Trendgeraden $\\hat p_j$ der
Dispersionsfaktor $\\hat\\varphi = \\frac{{1}}{{T-2}} \\sum_j (x_j - n_j \\hat p_j)^2 / \\operatorname{{Var}}_j$
geschätzt ($\\operatorname{{Var}}_j = n_j \\hat p_j (1 - \\hat p_j)$ bzw. $n_j \\hat p_j$). Ist
$\\hat\\varphi > 1$, wird $Z$ durch $\\sqrt{{\\hat\\varphi}}$ geteilt und der p-Wert aus der
t-Verteilung mit $T-2$ Freiheitsgraden bestimmt, weil $\\hat\\varphi$ selbst aus wenigen Werten
geschätzt ist (Quasi-Likelihood). Ohne diese Korrektur hielte der Test zu viele Trends für
gesichert. Mit weniger als vier Werten wird nicht korrigiert. Die Korrektur lässt sich je Regel abschalten.

### Regeln für Markierungen

{chr(10).join(rules) if rules else "- (keine Regel festgelegt)"}

Stufen: 1 = Hinweis, 2 = Warnung, 3 = Alarm.

**Mehrfachtests.** Jede Regel prüft alle Ortsteile zugleich; bei 60 Tests auf dem Niveau 5 % fielen
ohne Korrektur im Mittel drei Ortsteile rein zufällig auf. Jede Regel mit Test kontrolliert daher die
Rate falscher Entdeckungen (*false discovery rate*) über die geprüften Ortsteile nach
Benjamini und Hochberg: Die p-Werte $p_{{(1)}} \\le \\dots \\le p_{{(m)}}$ der $m$ geprüften Ortsteile werden zu
$q_{{(i)}} = \\min_{{j \\ge i}} m\\,p_{{(j)}}/j$, und ein Ortsteil wird markiert, wenn $q$ unter dem $\\alpha$ der
Regel liegt. Die Rate falscher Entdeckungen passt besser als eine Korrektur der
familienweisen Fehlerrate (Bonferroni), weil eine Markierung ein Anlass zum Hinsehen ist: Ein
kleiner Anteil falscher Markierungen ist tragbar, übersehene Entwicklungen sind es weniger. Der
Stadtvergleich ist ein einseitiger Score-Test gegen den Stadtwert (der Test, den das
Wilson-Intervall umkehrt); der Trendtest ist zweiseitig.

**Ein Indikator zählt einmal.** Die Indexindikatoren gehen nur über Status und Dynamik ein; für sie
gibt es keine eigenen Regeln (früher wurde die SGB-II-Dichte dreifach gezählt: Index, Schwellenwert,
Stadtvergleich). Die Regeln gelten Kennzahlen außerhalb des Index.

{_inactive_text(result)}

### Sondereffekte

Markierungen, deren Indikator und Jahre in ein bekanntes Ereignis der Liste der Sondereffekte fallen
(z. B. Zuzug Geflüchteter aus der Ukraine 2022/2023, Corona-Pandemie 2020/2021), tragen dessen Namen in
der Begründung und in der Download-Tabelle (Spalte „sondereffekt“). Beim Index zählt für den Status das
verwendete Jahr, für eine gesicherte Dynamik jedes Jahr des Zeitraums. Das Ereignis hebt eine Markierung
nicht auf; es sagt, dass ihre Ursache nicht zwingend eine soziale Entwicklung ist.

{_simulation_text(config, result)}

{_backtest_method(config, result)}

### Grenzen

- Die Intervalle behandeln Personen als unabhängig. Personen in Bedarfsgemeinschaften leben in
  gemeinsamen Haushalten; die tatsächliche Unsicherheit ist daher größer, in großen Ortsteilen ist
  fast jeder Unterschied „signifikant“. Die Mindestabstände und -veränderungen der Regeln
  begrenzen das auf Unterschiede, die auch inhaltlich zählen.
- Der Stadtvergleich behandelt den Stadtwert als fest, obwohl der Ortsteil zu ihm beiträgt.
- Der Dynamikindex misst die Veränderung gegenüber der Stadt; Ortsteilgrenzen änderten sich 2006, 2012
  und 2014, frühere Werte sind nicht umgerechnet.
- Der Dynamiktest behandelt die beiden Jahre als unabhängige Stichproben. Weil großenteils dieselben
  Menschen in beiden Jahren gezählt werden, ist die Varianz der Veränderung eher überschätzt: Der Test
  ist vorsichtig (siehe die geringe Fehlerrate im Simulationstest). Der Dispersionsfaktor wird aus den
  Schwankungen um eine Trendgerade geschätzt; echte Knicke (2020, 2022) erhöhen ihn und machen den Test
  in solchen Jahren noch vorsichtiger.
- Benjamini-Hochberg setzt unabhängige oder positiv abhängige Tests voraus; das trifft für den
  Vergleich der Ortsteile mit dem Stadtwert näherungsweise zu.
- Die drei Indexindikatoren korrelieren stark (siehe oben); der Status misst im Kern eine Dimension.
- Werte der Bürgerumfrage sind Stichprobenschätzungen; der Mann-Kendall-Test berücksichtigt ihre
  Stichprobenfehler nicht.
"""
    return text.strip() + "\n"


def _alpha(value: float) -> str:
    return fmt.number(value, 3).rstrip("0").rstrip(",")


def _middle(config: WarningConfig) -> str:
    position = sum(1 for t in config.dynamics_thresholds if t <= 0)
    return config.dynamics_classes[position]


def _percent(share: float, decimals: int = 1) -> str:
    return fmt.percent(share * 100, decimals) if share == share else fmt.DASH


def _index_choice(config: WarningConfig, result: Result | None, derivation: dict | None) -> str:
    """Why each index indicator is in, with the correlations of the edition's year (from the data)."""
    lines = [
        "**Auswahl.** Wie das Berliner *Monitoring Soziale Stadtentwicklung* misst der Index das *Ausmaß* "
        "der Benachteiligung mit drei Kennzahlen: Arbeitslosigkeit (Anteil der Arbeitslosen an den "
        "Erwerbsfähigen), Transferbezug (Personen in SGB-II-Bedarfsgemeinschaften je 100 Einwohner/-innen) und "
        "Kinderarmut (Kinder unter 15 Jahren in Bedarfsgemeinschaften je 100 Kinder unter 15 Jahren). Der "
        "Anteil der Alleinerziehenden an den Bedarfsgemeinschaften beschreibt dagegen, *wie* die "
        "Bedarfsgemeinschaften zusammengesetzt sind, nicht, wie viel Armut es gibt; er ist nicht mehr im "
        "Index, sondern wird als Regel (Stadtvergleich) geprüft. Eine vierte Kennzahl wie in Berlin "
        "(Langzeitarbeitslosigkeit) tragen die Daten nicht: Die Reihe endet 2017."
    ]
    if result is not None and len(result.correlations):
        corr = result.correlations
        names = {i.id: config.indicator(i.id).short for i in config.index}
        ids = [i for i in corr.columns if i in names]
        pairs = [
            f"{names[a]} / {names[b]}: {fmt.number(corr.loc[a, b], 2)}"
            for n, a in enumerate(ids)
            for b in ids[n + 1 :]
            if pd.notna(corr.loc[a, b])
        ]
        years = sorted({int(y) for y in result.status.attrs.get("years_used", {}).values() if y is not None})
        lines.append(
            "\n\n**Korrelationen** (Rangkorrelation nach Spearman über die eingestuften Ortsteile, Werte "
            f"{fmt.join_names([str(y) for y in years])}): " + "; ".join(pairs) + ". "
            "Die drei Kennzahlen messen damit weitgehend *eine* Dimension, die Armut im SGB II. Sie bleiben "
            "dennoch alle im Index, weil jede eine eigene Gruppe beschreibt (Erwerbsfähige ohne Arbeit, alle "
            "Leistungsberechtigten, Kinder) und weil das Mittel dreier Messungen weniger vom Zufall einer "
            "einzelnen abhängt. Wer sie liest, sollte wissen: Der Status ist im Kern ein Maß für die "
            "SGB-II-Armut, kein Maß aus drei unabhängigen Quellen."
        )
    if derivation:
        lines.append(
            "\n\n**Kinder unter 15 Jahren.** Die Zahl der Kinder je Gebiet ist nicht veröffentlicht; sie folgt "
            "exakt aus Einwohnerzahl $E$, Jugendquote $J$ und Altenquote $A$ (beide je 100 Einwohner/-innen von 15 "
            "bis unter 65 Jahren): $U = E \\cdot J / (100 + J + A)$. Probe an den Daten: Für die Stadt ergibt die "
            f"Formel in {derivation['whole']} von {derivation['years']} Jahren eine ganze Zahl (Abweichung "
            f"unter 0,01), wie es eine exakte Ableitung muss"
            + (
                f"; Ausnahmen: {fmt.join_names([str(y) for y in derivation['exceptions']])}"
                if derivation["exceptions"]
                else ""
            )
            + f". Über alle Gebiete und Jahre sind es {_percent(derivation['whole_share'])}; wo die Quoten eines "
            "Jahres nur mit einer Dezimale veröffentlicht sind, weicht das Ergebnis um bis zu "
            f"{fmt.number(derivation['max_offset'], 1)} von einer ganzen Zahl ab."
        )
    return "".join(lines)


def _dynamics_numbers(config: WarningConfig, result: Result | None) -> str:
    if result is None:
        return ""
    numbers = result.status.attrs.get("dynamics", {})
    rows = [
        "| Indexindikator | Dispersionsfaktor φ | τ̂ (wahre Streuung) | s (Einheit des Index) |",
        "|---|--:|--:|--:|",
    ]
    for ident, entry in numbers.items():
        tau = math.sqrt(entry["tau2"]) if entry["tau2"] == entry["tau2"] else math.nan
        rows.append(
            f"| {config.indicator(ident).short} | {fmt.number(entry['phi'], 2)} | "
            f"{fmt.number(tau, 2) if tau == tau else fmt.DASH} | {fmt.number(entry['scale'], 2)} |"
        )
    return (
        f"Geschätzte Größen der Ausgabe {result.year} (τ̂ und s in Prozentpunkten über {config.dynamics_period} Jahre; "
        "τ̂ = 0 heißt: die Unterschiede der Veränderungen zwischen den Ortsteilen sind nicht größer als ihr "
        "Zufallsfehler, der Indikator trägt dann nichts zum Dynamikindex bei):\n\n" + "\n".join(rows)
    )


def _inactive_text(result: Result | None) -> str:
    if result is None or result.inactive.empty:
        return "**Inaktive Regeln.** In dieser Ausgabe kann jede Regel mit den vorhandenen Daten greifen."
    lines = [
        f"**Inaktive Regeln {result.year}.** Diese Regeln können mit den vorhandenen Daten nicht greifen; der "
        "Bericht nennt sie beim Erstellen mit Datei, Eintrag und Grund und zählt sie nicht stillschweigend mit:",
        "",
    ]
    for row in result.inactive.itertuples():
        number = row.entry.split(" (")[0].replace("rules entry ", "")
        lines.append(f"- Regel {number} ({row.indicator}, {row.rule}): {row.reason}")
    return "\n".join(lines)


def _simulation_text(config: WarningConfig, result: Result | None) -> str:
    sim = (result.simulation if result is not None else None) or {}
    head = "### Simulationstest\n\n"
    if "false_positive_rate" not in sim:
        return head + "Für diese Ausgabe liegen zu wenige eingestufte Ortsteile für den Simulationstest vor."
    rules = "".join(
        f" Beim Stadtvergleich „{config.indicator(r['indicator']).short}“ (Regel {r['rule']}) markieren "
        f"Ortsteile mit genau dem Stadtwert im Mittel {_percent(r['false_positive_rate'], 2)} der Ortsteile."
        for r in sim.get("rules", [])
    )
    return head + (
        f"Bei jeder Ausgabe wird das Verfahren an {fmt.number(sim['repetitions'])} synthetischen "
        f"Ausgaben mit den {sim['ortsteile']} eingestuften Ortsteilen und ihren echten Nennern (Einwohnerzahl, "
        "Erwerbsfähige, Kinder): Die Zählwerte werden betabinomial mit dem geschätzten Dispersionsfaktor "
        "gezogen (feste Startzahl, daher reproduzierbar), und geprüft.\n\n"
        f"- **Ohne echte Veränderung** (jeder Ortsteil verändert sich wie die Stadt) stuft die Dynamik im Mittel "
        f"{_percent(sim['false_positive_rate'], 2)} der Ortsteile als „{sim['worst']}“ ein (Ziel: höchstens 5 %); "
        f"irgendeine andere Klasse als „{_middle(config)}“ erhalten {_percent(sim['any_class_rate'], 2)}.{rules}\n"
        f"- **Mit einer eingepflanzten Verschlechterung** von {fmt.number(sim['planted_change'], 1)} Prozentpunkten "
        f"in jedem Indexindikator über {config.dynamics_period} Jahre in zufällig gewählten "
        f"{_percent(sim['planted_share'], 0)} der Ortsteile findet das Verfahren {_percent(sim['power'])} dieser "
        f"Ortsteile (Trennschärfe); in Ortsteilen unter dem Median der Einwohnerzahl "
        f"{_percent(sim['power_small'])}, in den größeren {_percent(sim['power_large'])}.\n\n"
        "Die Zahlen stammen aus der Berechnung dieser Ausgabe, nicht aus einer Annahme."
    )


def _backtest_method(config: WarningConfig, result: Result | None) -> str:
    test = (result.backtest if result is not None else None) or {}
    years = test.get("years") or []
    span = f"{years[0]}–{years[-1]}" if years else "(keine)"
    return (
        "### Rückblick: Wie verlässlich ist das Frühwarnsystem?\n\n"
        f"Für jedes Jahr $Y$ ({span}), für das die Daten den Index und die {test.get('horizon', 3)} folgenden Jahre "
        "enthalten, wird das System nur mit den Werten bis $Y$ gerechnet (so, wie es damals hätte rechnen "
        "können; die Daten sind allerdings der heutige Stand, spätere Korrekturen der Quellen lassen sich nicht "
        f"zurücknehmen). Als **Verschlechterung** gilt, wenn der Statusindex eines Ortsteils in einem der "
        f"{test.get('horizon', 3)} folgenden Jahre um mindestens {fmt.number(test.get('worsening', 0.5), 1)} "
        f"(Standardabweichungen der Ortsteile) über dem Wert von $Y$ liegt oder der Ortsteil in die Klasse "
        f"„{config.status_classes[-1]}“ wechselt. Verglichen werden die Markierungen „Dynamik "
        f"{config.dynamics_classes[-1]}“ und „besonderer Aufmerksamkeitsbedarf“ des Systems mit einer naiven "
        f"Regel: dem Fünftel der Ortsteile mit dem ungünstigsten Status in $Y$. **Trefferquote** = Anteil der "
        "Verschlechterungen, die markiert waren; **Fehlalarme** = Markierungen ohne folgende Verschlechterung. "
        "Die Ergebnisse stehen im Kapitel Frühwarnsystem."
    )
