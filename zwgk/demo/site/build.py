"""Build the bundled demo site: a fictional county platform (汨水县) with four units on three CMS patterns.

Run from the repository root with the test extra installed (reportlab, python-docx):

    .venv/bin/python zwgk/demo/site/build.py

It rewrites ``www/`` (the static files), ``jpage/`` (the Hanweb list data behind dataproxy.jsp) and
``site.json`` (the manifest ``zwgk.demo.server`` reads: units, GBK prefixes, robots). The output is
deterministic, so a rebuild with unchanged content leaves git clean. Every link is relative or
root-relative: the site is served on an ephemeral loopback port. ``GAPS.md`` lists the deliberate gaps;
``README.md`` the layout and where the texts were adapted from.
"""

from __future__ import annotations

import abc
import html
import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
WWW = HERE / "www"
JPAGE = HERE / "jpage"
MANIFEST = HERE / "site.json"
SITE_DOMAIN = "www.mishui.gov.cn"
FIXED_ZIP_TIME = (2017, 12, 31, 0, 0, 0)


# --- content model ----------------------------------------------------------------------------------


@dataclass
class Attachment:
    name: str  # file stem as the CMS names it
    kind: str  # pdf | docx
    title: str
    paras: list[str]


@dataclass
class Doc:
    title: str
    date: str  # "YYYY-MM-DD HH:MM" (PubDate)
    paras: list[str] = field(default_factory=list)
    html: str = ""  # extra raw HTML after the paragraphs (tables)
    docno: str = ""  # 发文字号
    written: str = ""  # 成文日期
    attachments: list[Attachment] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, target doc key) resolved later
    key: str = ""
    id: int = 0
    broken_href: str = ""  # a list item pointing at a page that does not exist (a listed gap)


@dataclass
class Column:
    name: str
    slug: str  # TRS path segment; Yueyang / Hanweb use numeric ids assigned at build time
    docs: list[Doc] = field(default_factory=list)
    children: list["Column"] = field(default_factory=list)
    perpage: int = 10
    id: int = 0
    parent: "Column | None" = None


@dataclass
class UnitSite:
    id: str
    name: str
    short: str
    kind: str
    cms: str  # trs | yueyang | hanweb
    charset: str  # utf-8 | gbk
    base: str  # root-relative prefix owned by the unit
    idcode: str
    orgcode: str
    columns: list[Column]
    subunits: list[str] = field(default_factory=list)
    first_col_id: int = 0
    first_doc_id: int = 0


def p(*paras: str) -> list[str]:
    return list(paras)


# --- shared texts ------------------------------------------------------------------------------------
# The guide and report texts are adapted from real pages in shared/reference-pages (see README.md):
# dongning_daduchuan_zfxxgkzn.txt, kedong_zfxxgkzn.txt (guides), fzja_zfxxgknb_2016.txt (annual report),
# pingjiang_policy_yuebanfa_2017_2.txt (policy wording), anshun_gjj_zcjd_zhidu.txt (解读制度).


def disclosure_guide(name: str, office: str, phone: str, updated: str) -> list[str]:
    return p(
        f"为便利公民、法人和其他组织获取{name}政府信息，根据《中华人民共和国政府信息公开条例》（国务院令第492号）"
        f"和省、市、县政务公开有关规定，制定本指南（{updated}修订）。",
        "一、信息分类与编排体系",
        f"{name}主动公开的政府信息分为信息公开指南、信息公开制度、法定主动公开内容、信息公开年报四类。"
        "编排体系包括索引号、名称、内容概述、发布机构、生成日期、文号等内容，提供栏目浏览和全文检索两种查询方式。",
        "二、获取方式",
        "1.汨水县人民政府门户网站信息公开平台；2.县档案馆、县图书馆政府信息查阅点；3.政务服务大厅公开栏。",
        "三、依申请公开",
        "公民、法人或其他组织可通过网上申请、当面申请、信函申请等方式提出申请。申请书应注明联系电话、邮寄地址。"
        "能够当场答复的当场答复；不能当场答复的，自收到申请之日起15个工作日内予以答复，需延长答复期限的，延长期限最长不超过15个工作日。",
        "四、工作机构",
        f"受理机构：{office}。办公地址：汨水县{name.replace('汨水县', '')}办公楼二楼。"
        f"办公时间：周一至周五（节假日除外）上午8:00-12:00，下午14:30-17:30。联系电话：{phone}；传真：{phone}；"
        "电子邮箱：mszwgk@163.com。",
    )


def annual_report(name: str, year: int, applications: int, late: int, reconsider: int) -> list[str]:
    return p(
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{name}编制。"
        "全文包括概述、主动公开政府信息情况、依申请公开政府信息办理情况、政府信息公开的收费及减免情况、"
        "因政府信息公开申请行政复议和提起行政诉讼的情况、存在的主要问题及改进措施六部分。"
        f"本报告统计数据从{year}年1月1日至{year}年12月31日止。",
        "一、概述",
        f"{year}年，我单位认真贯彻落实《条例》，按照县政府办公室下发的{year}年政务公开工作要点，"
        "稳步推进政府信息公开工作，进一步完善了主动公开、依申请公开、保密审查等制度。",
        "二、主动公开政府信息情况",
        f"全年通过县政府门户网站信息公开平台主动公开政府信息{120 + year % 7 * 9}条，其中规范性文件{2 + year % 3}件。",
        "三、依申请公开政府信息办理情况",
        f"全年共受理政府信息公开申请{applications}件，已全部按期答复"
        + (f"，其中超过法定期限答复{late}件" if late else "")
        + "。",
        "四、收费及减免情况",
        "全年未收取政府信息公开检索、复制、邮寄等费用。",
        "五、因政府信息公开申请行政复议和提起行政诉讼的情况",
        f"因政府信息公开申请行政复议{reconsider}件，提起行政诉讼0件。",
        "六、存在的主要问题及改进措施",
        "主要问题是信息更新还不够及时，政策解读形式较为单一。下一步将加强培训，完善审核发布流程，提高公开质量。",
    )


SYSTEMS = {
    "主动公开": ("政府信息主动公开制度", "规范本单位政府信息主动公开的范围、程序和时限。主动公开的政府信息自形成或变更之日起20个工作日内予以公开。"),
    "依申请公开": ("政府信息依申请公开工作制度", "规范依申请公开的受理、登记、办理、答复和归档，明确答复期限和补正告知要求。"),
    "发布协调": ("政府信息发布协调制度", "拟发布的政府信息涉及其他行政机关的，应当与有关行政机关进行沟通、确认，保证发布的政府信息准确一致。"),
    "保密审查": ("政府信息公开保密审查制度", "坚持“先审查、后公开”和“一事一审”原则，未经保密审查的政府信息不得公开。"),
    "年度报告": ("政府信息公开工作年度报告制度", "每年3月31日前编制并公布上一年度政府信息公开工作年度报告。"),
    "政策解读": ("政策文件解读工作制度", "坚持“谁起草、谁解读”，解读材料与政策文件同步组织、同步审签、同步部署。"),
    "新闻发言人": ("新闻发言人制度", "明确新闻发言人及其职责，对重要政务舆情和社会关切及时发布权威信息。"),
}


def system_doc(unit: str, key: str, date: str, docno: str) -> Doc:
    title, gist = SYSTEMS[key]
    return Doc(f"{unit}{title}", date, p(
        f"第一条 为规范{unit}政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本制度。",
        f"第二条 {gist}",
        "第三条 办公室是本单位政府信息公开工作的主管机构，负责组织实施本制度。",
        "第四条 本制度自印发之日起施行。"), docno=docno, key=f"sys-{key}")


# Categories of 法定主动公开内容 published as one document each in the 重点领域信息公开 column.
KEY_AREAS = [
    ("市场监管信息", "{u}2017年“双随机、一公开”抽查结果公示", "03-15"),
    ("经济社会政策", "{u}2017年惠民政策清单", "03-28"),
    ("政府投资重大建设项目信息", "{u}2017年政府投资项目计划及实施进展情况", "04-18"),
    ("公共资源交易信息", "{u}2017年办公设备采购项目成交结果公告", "05-09"),
    ("减税降费信息", "{u}涉企行政事业性收费目录清单（2017年）", "05-22"),
    ("国企运营监管信息", "{u}所属企业国有资产运营情况（2017年上半年）", "07-20"),
    ("扶贫工作信息", "{u}2017年精准扶贫工作进展情况", "06-12"),
    ("社会救助信息", "{u}2017年第二季度临时救助发放情况公示", "07-05"),
    ("就业创业信息", "{u}2017年“春风行动”就业援助活动公告", "02-20"),
    ("棚改、危改、保障性住房信息", "{u}2017年农村危房改造对象公示", "08-08"),
    ("安全生产监管信息", "{u}2017年汛期安全生产大检查情况通报", "06-28"),
    ("环境保护信息", "{u}2017年环境保护工作情况", "09-14"),
    ("社会组织和中介服务信息", "{u}中介服务事项清单", "10-10"),
    ("土地、房屋征收信息", "{u}2017年征地补偿安置情况公告", "10-26"),
    ("教育、医疗卫生、科技、食品药品监管等信息", "{u}2017年食品安全专项整治工作情况", "11-16"),
]


def key_area_docs(short: str, missing: set[str], overrides: dict[str, Doc] | None = None) -> list[Doc]:
    docs = []
    for category, title, md in KEY_AREAS:
        if category in missing:
            continue
        if overrides and category in overrides:
            docs.append(overrides[category])
            continue
        t = title.format(u=short)
        docs.append(Doc(t, f"2017-{md} 09:30", p(
            f"根据县政府办公室关于做好{category}公开工作的要求，现将{t.replace(short, '', 1)}有关情况公布如下。",
            f"一、基本情况。{short}高度重视此项工作，明确分管领导和责任股室，按月调度工作进展。",
            "二、主要做法。严格执行公开审核程序，做到应公开尽公开，接受群众监督。",
            "如有疑问，请于工作日向本单位办公室反映。")))
    docs.sort(key=lambda d: d.date, reverse=True)
    return docs


# The 22 service-guide elements with the label each demo guide uses.
GUIDE_ELEMENTS = [
    ("事项名称", "事项名称"), ("事项类型", "事项类型"), ("设定依据", "办理依据"), ("实施机构", "实施主体"),
    ("法定办结时限", "法定期限"), ("承诺办结时限", "承诺期限"), ("结果名称", "结果名称"), ("结果样本", "结果样本"),
    ("收费标准", "收费标准"), ("收费依据", "收费依据"), ("申请材料", "申请材料"), ("办理流程", "办理流程"),
    ("办理形式", "办理形式"), ("审查标准", "审查标准"), ("通办范围", "通办范围"), ("预约办理", "预约办理"),
    ("网上支付", "网上支付"), ("物流快递", "物流快递"), ("办理地点", "办理地点"), ("办理时间", "办理时间"),
    ("咨询电话", "咨询电话"), ("监督电话", "监督投诉电话"),
]


def guide_values(item: str, kind: str, basis: str, org: str, materials: str, place: str, phone: str) -> dict:
    return {
        "事项名称": item, "事项类型": kind, "设定依据": basis, "实施机构": org,
        "法定办结时限": "20个工作日", "承诺办结时限": "10个工作日", "结果名称": f"{item}审批表",
        "结果样本": "见附件样本", "收费标准": "不收费", "收费依据": "不涉及", "申请材料": materials,
        "办理流程": "申请—受理—审查—决定—送达", "办理形式": "窗口办理、网上申报", "审查标准": "申请材料齐全、符合法定形式，申请人符合法定条件",
        "通办范围": "全县通办", "预约办理": "支持电话预约", "网上支付": "本事项不收费，无需支付",
        "物流快递": "可选择邮政快递送达办理结果", "办理地点": place, "办理时间": "工作日上午8:00-12:00，下午14:30-17:30",
        "咨询电话": phone, "监督电话": "0730-5212345",
    }


def guide_table(values: dict, omit: set[str] = frozenset(), labels: dict | None = None) -> str:
    rows = []
    for element, label in GUIDE_ELEMENTS:
        if element in omit:
            continue
        label = (labels or {}).get(element, label)
        rows.append(f"<tr><th>{label}</th><td>{html.escape(values[element])}</td></tr>")
    return '<table class="bszn" border="1" cellspacing="0">' + "".join(rows) + "</table>"


def guide_doc(item: str, date: str, values: dict, omit=frozenset(), labels=None, key="") -> Doc:
    return Doc(f"{item}办事指南", date, p(f"{item}事项的办事指南如下："), html=guide_table(values, omit, labels), key=key)


def gb11643(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


# --- the four units -----------------------------------------------------------------------------------


def xinshi() -> UnitSite:
    u, short = "新市镇人民政府", "新市镇"
    office = "新市镇党政综合办公室"
    guides = [
        Doc(f"{u}政府信息公开指南", "2017-03-02 10:19", disclosure_guide(u, office, "0730-5231021", "2017年3月"), key="guide"),
        Doc(f"{office}政府信息公开指南", "2017-03-02 10:25", disclosure_guide(office, office, "0730-5231021", "2017年3月")),
        Doc("新市镇财政所政府信息公开指南", "2017-03-02 10:31", disclosure_guide("新市镇财政所", "新市镇财政所", "0730-5231035", "2017年3月")),
    ]
    systems = [system_doc(u, k, d, f"新政办发〔2017〕{n}号") for k, d, n in [
        ("主动公开", "2017-02-16 15:02", 3), ("依申请公开", "2017-02-16 15:10", 4), ("保密审查", "2017-02-16 15:18", 5),
        ("年度报告", "2017-02-16 15:26", 6), ("新闻发言人", "2017-02-16 15:33", 7)]]
    reports = [Doc(f"{u}2015年政府信息公开工作年度报告", "2016-03-25 16:40", annual_report(u, 2015, 2, 0, 0),
                   attachments=[Attachment("201603/2015ndbg", "pdf", f"{u}2015年政府信息公开工作年度报告",
                                           annual_report(u, 2015, 2, 0, 0))])]
    leaders = Doc("新市镇领导班子成员及分工", "2017-02-08 09:12", p(
        "党委书记：周建国，主持镇党委全面工作。",
        "镇长：刘志强，主持镇政府全面工作，负责财政、审计工作，分管政务公开和政务服务工作。",
        "副镇长：陈红梅，负责农业农村、扶贫、民政、社会救助工作。",
        "副镇长：谭卫东，负责国土、城建、安全生产、环境保护工作。"), key="leaders")
    low = gb11643("43069919780312421")
    relief = Doc("新市镇2017年第二季度临时救助发放情况公示", "2017-07-05 09:30", p(
        "根据《湖南省临时救助实施办法》，经村（社区）评议、镇人民政府审核，现将2017年第二季度临时救助发放情况公示如下，"
        "公示期7天。如有异议，请向镇民政办反映。"),
        html=('<table border="1" cellspacing="0"><tr><th>序号</th><th>姓名</th><th>村（社区）</th><th>身份证号</th>'
              '<th>联系电话</th><th>救助金额（元）</th></tr>'
              f'<tr><td>1</td><td>李某某</td><td>桃林村</td><td>{low}</td><td>13900000001</td><td>2000</td></tr>'
              '<tr><td>2</td><td>张某某</td><td>新市社区</td><td>430699********0527</td><td>139****0002</td><td>1500</td></tr>'
              '</table>'), key="pii")
    plan = Doc("新市镇人民政府办公室关于印发《新市镇2017年政务公开工作要点》的通知", "2017-03-15 11:05", p(
        "各村（社区）、镇直各单位：",
        "现将《新市镇2017年政务公开工作要点》印发给你们，请认真抓好落实。",
        "一、推进决策、执行、管理、服务、结果公开。二、加强政策解读与回应关切。三、完善公开平台建设。四、强化组织保障。"),
        docno="新政办发〔2017〕9号", written="2017-03-14",
        attachments=[Attachment("201703/2017gzyd", "docx", "新市镇2017年政务公开工作要点", p(
            "新市镇2017年政务公开工作要点",
            "为深入贯彻落实中办发〔2016〕8号文件精神，全面推进政务公开工作，结合我镇实际，制定本要点。",
            "一、围绕重点工作推进公开。二、做好政策解读和回应关切。三、加强信息公开平台建设。"))], key="plan")
    svc_common = dict(basis="《湖南省最低生活保障条例》", org=u, materials="户口簿、居民身份证、家庭收入情况声明",
                      place="新市镇便民服务中心一楼", phone="0730-5231021")
    v1 = guide_values("农村最低生活保障申请", "行政给付", **svc_common)
    v2 = guide_values("农村村民宅基地建房审核", "其他行政权力", **{**svc_common, "basis": "《中华人民共和国土地管理法》",
                                                          "materials": "建房申请书、户口簿、村民会议意见"})
    v2["监督电话"] = ""
    v3 = guide_values("计划生育家庭奖励扶助审核", "行政给付", **{**svc_common, "basis": "《湖南省人口与计划生育条例》"})
    v3["结果样本"] = "无"
    no_tongban = {"通办范围", "预约办理", "物流快递"}
    services = [
        guide_doc("农村最低生活保障申请", "2017-04-10 10:00", v1, no_tongban),
        guide_doc("农村村民宅基地建房审核", "2017-04-10 10:20", v2, no_tongban),
        guide_doc("计划生育家庭奖励扶助审核", "2017-04-10 10:40", v3, no_tongban),
        Doc("残疾人两项补贴申请办事指南", "2017-04-11 09:15", p(
            "残疾人两项补贴申请属于行政给付事项，依据《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"
            "（国发〔2015〕52号）设定，由新市镇人民政府负责初审。",
            "申请人需携带户口簿、居民身份证、第二代残疾人证到新市镇便民服务中心一楼民政窗口提出申请，"
            "办理流程为申请、受理、审核、审批、发放。法定期限20个工作日，承诺期限10个工作日，办理结果为补贴审批表（结果样本见窗口）。",
            "本事项不收费，收费依据为不涉及收费。办理形式为窗口办理，审查标准为申请人符合补贴条件、材料齐全。"
            "网上支付：不涉及。办理时间为工作日上午8:00-12:00，下午14:30-17:30。",
            "咨询电话：0730-5231021；监督投诉电话：0730-5212345。")),
        Doc("新市镇政务服务事项目录", "2017-03-30 16:00", p("新市镇政务服务事项目录共计42项，其中行政给付12项、行政确认5项、其他行政权力25项。")),
    ]
    areas = key_area_docs(short, {"减税降费信息", "国企运营监管信息"}, {"社会救助信息": relief})
    return UnitSite("xinshi-town", u, short, "township", "yueyang", "utf-8", "/25300/", "4306990002", "006612341",
                    subunits=["新市镇党政综合办公室", "新市镇财政所"], first_col_id=25300, first_doc_id=700101, columns=[
        Column("信息公开指南", "", guides),
        Column("信息公开制度", "", systems),
        Column("法定主动公开内容", "", children=[
            Column("机构职能", "", [Doc("新市镇人民政府主要职责及内设机构", "2017-02-08 09:00", p(
                "主要职责：贯彻执行党和国家的路线方针政策，执行本级人民代表大会的决议，管理本行政区域内的经济、教育、科学、"
                "文化、卫生、体育事业和财政、民政、公安、司法行政、计划生育等行政工作。",
                "内设机构：党政综合办公室、经济发展办公室、社会事务办公室、社会治安综合治理办公室、财政所。")), leaders]),
            Column("人事信息", "", [
                Doc("新市镇人民政府关于谭卫东等同志职务任免的通知", "2017-05-18 10:00", p("经镇人民代表大会主席团研究决定：任命谭卫东同志为新市镇人民政府副镇长。"), docno="新政任〔2017〕2号"),
                Doc("新市镇2017年公开招聘村级便民服务专干公告", "2017-06-02 09:00", p("根据工作需要，面向社会公开招聘村级便民服务专干5名。"))]),
            Column("规划计划", "", [plan,
                Doc("新市镇国民经济和社会发展第十三个五年规划纲要", "2016-05-20 15:00", p("本纲要阐明2016—2020年全镇经济社会发展的主要目标和重点任务。")),
                Doc("新市镇土地利用总体规划调整方案（2017年）", "2017-06-26 10:00", p("根据县国土部门统一部署，对我镇土地利用总体规划进行局部调整。"))]),
            Column("规范性文件", "", [Doc("新市镇人民政府关于加强农村建房管理的通知", "2017-03-22 10:00", p(
                "各村（社区）：为进一步规范农村村民建房行为，现就有关事项通知如下。"), docno="新政发〔2017〕3号", written="2017-03-20")]),
            Column("权责清单", "", [Doc("新市镇人民政府权力清单和责任清单", "2017-01-16 10:00", p("新市镇权力清单共计行政权力68项，责任清单与权力清单逐项对应。"))]),
            Column("政务服务", "", services, perpage=10),
            Column("财政资金", "", [
                Doc("新市镇2017年财政预算公开", "2017-02-24 10:00", p("2017年全镇一般公共预算收入安排3650万元。")),
                Doc("新市镇2016年财政决算公开", "2017-08-30 10:00", p("2016年全镇一般公共预算收入完成3421万元。"))]),
            Column("重点领域信息公开", "", areas, perpage=5),
        ]),
        Column("信息公开年报", "", reports),
    ])


def baishui() -> UnitSite:
    u, short = "白水镇人民政府", "白水镇"
    systems = [system_doc(u, k, d, f"白政办发〔2017〕{n}号") for k, d, n in [
        ("主动公开", "2017-03-06 09:00", 2), ("依申请公开", "2017-03-06 09:10", 3), ("年度报告", "2017-03-06 09:20", 4),
        ("新闻发言人", "2017-03-06 09:30", 5)]]
    report = annual_report(u, 2016, 1, 0, 0)
    reports = [
        Doc(f"{u}2016年政府信息公开工作年度报告", "2017-03-20 15:12", report,
            attachments=[Attachment("P020170320316582040121", "pdf", f"{u}2016年政府信息公开工作年度报告", report)]),
        Doc(f"{u}2015年政府信息公开工作年度报告", "2016-03-18 10:02", annual_report(u, 2015, 0, 0, 0)),
    ]
    old_plan = Doc("白水镇2016年政务公开工作要点", "2016-04-12 10:00", p("为做好2016年政务公开工作，制定本要点。"))
    leaders = Doc("白水镇领导班子成员及分工", "2017-02-10 10:00", p(
        "党委书记：王镕，主持镇党委全面工作。",
        "镇长：李喆，主持镇政府全面工作，负责财政、审计工作。",
        "副镇长：黄德胜，负责农业农村、水利、扶贫工作。",
        "副镇长：罗晓燕，负责民政、教育、卫生计生工作。"), key="leaders")
    values = guide_values("农村五保供养审批", "行政给付", basis="《农村五保供养工作条例》", org=u,
                          materials="申请书、户口簿、居民身份证", place="白水镇便民服务中心", phone="0730-5240012")
    table_guide = guide_doc("临时救助申请", "2017-05-16 10:00", guide_values(
        "临时救助申请", "行政给付", basis="《社会救助暂行办法》", org=u, materials="申请书、户口簿、居民身份证、困难情况证明",
        place="白水镇便民服务中心", phone="0730-5240012"), {"物流快递"})
    pdf_lines = [f"{label}：{values[element]}" for element, label in GUIDE_ELEMENTS if element != "预约办理"]
    pdf_guide = Doc("农村五保供养审批办事指南", "2017-05-16 10:30", p("农村五保供养审批办事指南详见附件。"),
                    attachments=[Attachment("P020170516358216743255", "pdf", "农村五保供养审批办事指南", pdf_lines)])
    areas = key_area_docs(short, {"国企运营监管信息", "社会组织和中介服务信息"})
    return UnitSite("baishui-town", u, short, "township", "trs", "gbk", "/baishui/", "4306990003", "006612352",
                    subunits=["白水镇党政综合办公室"], first_doc_id=1301, columns=[
        Column("信息公开指南", "xxgkzn", [Doc("白水镇党政综合办公室政府信息公开指南", "2017-03-06 08:50",
                                           broken_href="./201703/t20170306_1299.html")]),
        Column("信息公开制度", "xxgkzd", systems),
        Column("法定主动公开内容", "fdzdgknr", children=[
            Column("机构职能", "jgzn", [Doc("白水镇人民政府主要职责", "2017-02-10 09:00", p("白水镇人民政府主要职责及内设机构如下：党政综合办公室、经济发展办公室、社会事务办公室。")), leaders]),
            Column("人事信息", "rsxx", [Doc("白水镇2017年公开选聘村级后备干部公告", "2017-06-15 09:00", p("面向全镇公开选聘村级后备干部10名。")),
                                       Doc("白水镇人民政府关于罗晓燕同志任职的通知", "2017-04-20 09:00", p("任命罗晓燕同志为白水镇人民政府副镇长。"))]),
            Column("规划计划", "ghjh", [old_plan,
                Doc("白水镇国民经济和社会发展第十三个五年规划纲要", "2016-06-08 09:00", p("本纲要明确了2016—2020年全镇发展目标。")),
                Doc("白水镇集镇建设专项规划（2017—2030年）", "2017-07-11 09:00", p("本规划确定集镇性质、规模和空间布局。"))]),
            Column("规范性文件", "gfxwj", [Doc("白水镇人民政府关于进一步加强森林防火工作的通告", "2017-01-20 09:00", p("为切实做好森林防火工作，特通告如下。"), docno="白政发〔2017〕1号")]),
            Column("权责清单", "qzqd", [Doc("白水镇人民政府权力清单和责任清单", "2017-01-18 09:00", p("白水镇权力清单共计行政权力63项。"))]),
            Column("政务服务", "zwfw", [table_guide, pdf_guide, Doc("白水镇政务服务事项目录", "2017-04-05 09:00", p("白水镇政务服务事项目录共计38项。"))]),
            Column("财政资金", "czzj", [Doc("白水镇2017年财政预算公开", "2017-03-01 09:00", p("2017年全镇一般公共预算收入安排2980万元。"))]),
            Column("重点领域信息公开", "zdlyxxgk", areas, perpage=5),
        ]),
        Column("信息公开年报", "xxgknb", reports),
    ])


def edu() -> UnitSite:
    u, short = "汨水县教育局", "县教育局"
    systems = [system_doc(u, k, d, f"汨教办发〔2017〕{n}号") for n, (k, d) in enumerate([
        ("主动公开", "2017-02-13 09:00"), ("依申请公开", "2017-02-13 09:05"), ("发布协调", "2017-02-13 09:10"),
        ("保密审查", "2017-02-13 09:15"), ("年度报告", "2017-02-13 09:20"), ("政策解读", "2017-02-13 09:25"),
        ("新闻发言人", "2017-02-13 09:30")], start=1)]
    secrecy = systems[3]
    secrecy.attachments.append(Attachment("P020170213392615831476", "docx", f"{u}政府信息公开保密审查制度", secrecy.paras))
    report = annual_report(u, 2016, 6, 0, 0)
    reports = [
        Doc(f"{u}2016年政府信息公开工作年度报告", "2017-04-12 16:08", report,
            attachments=[Attachment("P020170412418267301522", "docx", f"{u}2016年政府信息公开工作年度报告", report)]),
        Doc(f"{u}2015年政府信息公开工作年度报告", "2016-03-30 11:20", annual_report(u, 2015, 4, 0, 0)),
    ]
    enrol = Doc("汨水县教育局关于规范中小学招生入学工作的通知", "2017-08-21 10:19", p(
        "各乡镇中心学校，县直各学校：",
        "为进一步规范义务教育阶段招生入学行为，保障适龄儿童少年平等接受义务教育的权利，现就有关事项通知如下。",
        "一、坚持免试就近入学。二、严禁以各类考试、竞赛成绩作为招生依据。三、规范随迁子女入学办理程序。"),
        docno="汨教发〔2017〕12号", written="2017-08-18", key="enrol",
        attachments=[Attachment("P020170821329145506611", "pdf", "汨水县教育局关于规范中小学招生入学工作的通知", p(
            "汨水县教育局关于规范中小学招生入学工作的通知", "汨教发〔2017〕12号",
            "为进一步规范义务教育阶段招生入学行为，现就有关事项通知如下：一、坚持免试就近入学。"))],
        links=[("相关解读", "enrol-jd")])
    enrol_jd = Doc("《关于规范中小学招生入学工作的通知》政策解读", "2017-08-28 15:40", p(
        "近日，县教育局印发了《关于规范中小学招生入学工作的通知》（汨教发〔2017〕12号）。现就有关内容解读如下。",
        "一、出台背景。二、主要内容。三、适用范围。"), key="enrol-jd", links=[("原文链接", "enrol")])
    train = Doc("汨水县教育局关于进一步加强校外培训机构管理的通知", "2017-05-10 09:30", p(
        "各乡镇中心学校，各校外培训机构：为规范校外培训机构办学行为，现就有关事项通知如下。"),
        docno="汨教发〔2017〕5号", written="2017-05-08", key="train", links=[("相关解读", "train-jd")])
    train_jd = Doc("图解：《汨水县教育局关于进一步加强校外培训机构管理的通知》", "2017-05-10 16:20", p(
        "一图读懂校外培训机构管理新规：设立条件、办学行为、监督检查。"), key="train-jd", links=[("原文链接", "train")])
    plan = Doc("汨水县教育局2017年政务公开政务服务工作要点", "2017-03-10 10:00", p(
        "为全面推进全县教育系统政务公开和政务服务工作，制定本要点。一、推进“五公开”。二、加强政策解读。三、优化政务服务。"),
        docno="汨教办发〔2017〕8号")
    common = dict(org=u, place="汨水县政务服务中心二楼教育窗口", phone="0730-5223010")
    services = [
        guide_doc("民办学校设立审批", "2017-04-06 10:00", guide_values(
            "民办学校设立审批", "行政许可", basis="《中华人民共和国民办教育促进法》第十二条", materials="申办报告、举办者资格证明、校舍证明", **common)),
        guide_doc("教师资格认定", "2017-04-06 10:10", guide_values(
            "教师资格认定", "行政许可", basis="《教师资格条例》第十三条", materials="申请表、身份证、学历证书、普通话等级证书", **common)),
        Doc("汨水县教育局政务服务事项目录", "2017-03-28 10:00", p("县教育局政务服务事项目录共计18项。")),
        Doc("汨水县教育局政务服务事项实施清单", "2017-06-30 10:00", p("县教育局政务服务事项实施清单共计18项，逐项明确办理要素。")),
    ]
    areas = key_area_docs(short, {"财政资金信息", "就业创业信息", "公共资源交易信息"})
    return UnitSite("edu-bureau", u, short, "department", "trs", "utf-8", "/edu/", "4306990004", "006612369",
                    first_doc_id=3301, columns=[
        Column("信息公开指南", "xxgkzn", [Doc(f"{u}政府信息公开指南", "2017-02-20 09:00", disclosure_guide(u, "汨水县教育局办公室", "0730-5223001", "2017年2月"))]),
        Column("信息公开制度", "xxgkzd", systems),
        Column("法定主动公开内容", "fdzdgknr", children=[
            Column("机构职能", "jgzn", [Doc("汨水县教育局主要职责和内设机构", "2017-02-15 09:00", p("县教育局是县人民政府工作部门，主管全县教育工作。内设办公室、基础教育股、人事股、计划财务股。")),
                Doc("汨水县教育局领导班子成员分工", "2017-02-15 09:10", p(
                    "局长：彭建华，主持全面工作。", "副局长：邓丽，负责办公室、政务公开、政务服务、安全稳定工作。",
                    "副局长：易志刚，负责基础教育、招生考试工作。"), key="leaders")]),
            Column("人事信息", "rsxx", [Doc("汨水县2017年公开招聘中小学教师公告", "2017-06-20 09:00", p("2017年全县公开招聘中小学教师120名。")),
                                       Doc("汨水县教育局关于易志刚同志任职的通知", "2017-03-02 09:00", p("任命易志刚同志为汨水县教育局副局长。"))]),
            Column("规划计划", "ghjh", [plan,
                Doc("汨水县教育事业发展第十三个五年规划", "2016-09-12 09:00", p("明确2016—2020年全县教育事业发展目标。")),
                Doc("汨水县学前教育第三期行动计划（2017—2020年）", "2017-07-18 09:00", p("到2020年，全县学前三年毛入园率达到85%以上。"))]),
            Column("规范性文件", "gfxwj", [enrol, train]),
            Column("政策解读", "zcjd", [enrol_jd, train_jd]),
            Column("权责清单", "qzqd", [Doc("汨水县教育局权力清单和责任清单", "2017-01-12 09:00", p("县教育局行政权力共计35项。"))]),
            Column("政务服务", "zwfw", services),
            Column("重点领域信息公开", "zdlyxxgk", areas, perpage=4),
        ]),
        Column("信息公开年报", "xxgknb", reports),
    ])


def land() -> UnitSite:
    u, short = "汨水县自然资源局", "县自然资源局"
    systems = [system_doc(u, k, d, f"汨自然资办发〔2017〕{n}号") for n, (k, d) in enumerate([
        ("主动公开", "2017-02-21 09:00"), ("依申请公开", "2017-02-21 09:05"), ("发布协调", "2017-02-21 09:10"),
        ("保密审查", "2017-02-21 09:15"), ("年度报告", "2017-02-21 09:20"), ("新闻发言人", "2017-02-21 09:25")], start=1)]
    report = annual_report(u, 2015, 9, 1, 1)
    reports = [Doc(f"{u}2015年政府信息公开工作年度报告", "2016-03-29 10:00", report,
                   attachments=[Attachment("2016ndbg_zrzy", "pdf", f"{u}2015年政府信息公开工作年度报告", report)])]
    common = dict(org=u, place="汨水县政务服务中心三楼自然资源窗口", phone="0730-5226020")
    services = [
        guide_doc("建设用地规划许可", "2017-04-12 10:00", guide_values(
            "建设用地规划许可", "行政许可", basis="《中华人民共和国城乡规划法》第三十七条", materials="申请表、建设项目批准文件、用地红线图", **common)),
        guide_doc("不动产首次登记", "2017-04-12 10:10", guide_values(
            "不动产首次登记", "行政确认", basis="《不动产登记暂行条例》", materials="登记申请书、身份证明、权属来源材料", **common),
            {"网上支付", "审查标准"}),
        Doc("汨水县自然资源局政务服务事项目录", "2017-03-29 10:00", p("县自然资源局政务服务事项目录共计41项。")),
        Doc("汨水县自然资源局政务服务事项实施清单", "2017-07-05 10:00", p("县自然资源局政务服务事项实施清单共计41项。"),
            attachments=[Attachment("ssqd_2017", "docx", "汨水县自然资源局政务服务事项实施清单", p(
                "汨水县自然资源局政务服务事项实施清单", "一、行政许可：建设用地规划许可、建设工程规划许可。", "二、行政确认：不动产首次登记。"))]),
    ]
    areas = key_area_docs(short, {"减税降费信息"})
    return UnitSite("land-bureau", u, short, "department", "hanweb", "utf-8", "/", "4306990005", "006612375",
                    first_col_id=5100, first_doc_id=21001, columns=[
        Column("信息公开指南", "", [Doc(f"{u}政府信息公开指南", "2014-06-10 09:00", disclosure_guide(u, "汨水县自然资源局办公室", "0730-5226001", "2014年6月"))]),
        Column("信息公开制度", "", systems),
        Column("法定主动公开内容", "", children=[
            Column("机构职能", "", [Doc("汨水县自然资源局主要职责", "2017-02-16 09:00", p("负责全县土地、矿产等自然资源的管理和保护。")),
                Doc("汨水县自然资源局领导分工", "2017-02-16 09:10", p(
                    "局长：孙国平，主持全面工作。", "副局长：唐文静，负责办公室、政务公开、信访工作。",
                    "副局长：龙海波，负责耕地保护、不动产登记工作。"), key="leaders")]),
            Column("人事信息", "", [Doc("汨水县自然资源局2017年公开选调工作人员公告", "2017-05-25 09:00", p("面向全县公开选调工作人员3名。")),
                                   Doc("汨水县自然资源局关于龙海波同志任职的通知", "2017-03-08 09:00", p("任命龙海波同志为汨水县自然资源局副局长。"))]),
            Column("规划计划", "", [Doc("汨水县自然资源局2017年政务公开工作要点", "2017-03-20 09:00", p("为做好2017年政务公开工作，制定本要点。")),
                Doc("汨水县自然资源局2017年工作计划", "2017-02-28 09:00", p("2017年重点推进不动产统一登记和耕地保护。")),
                Doc("汨水县矿产资源总体规划（2016—2020年）", "2017-05-05 09:00", p("本规划是全县矿产资源勘查、开发利用与保护的指导性文件。"))]),
            Column("规范性文件", "", [Doc("汨水县自然资源局关于规范农村宅基地审批管理的通知", "2017-06-12 10:00", p(
                "各乡镇人民政府，局属各股室：为规范农村宅基地审批管理，现就有关事项通知如下。"),
                docno="汨自然资发〔2017〕3号", written="2017-06-09")]),
            Column("权责清单", "", [Doc("汨水县自然资源局权力清单和责任清单", "2017-01-13 09:00", p("县自然资源局行政权力共计76项。"))]),
            Column("政务服务", "", services),
            Column("财政资金", "", [Doc("汨水县自然资源局2017年部门预算", "2017-02-27 09:00", p("2017年部门预算收入合计1865万元。")),
                                   Doc("汨水县自然资源局2016年部门决算", "2017-09-01 09:00", p("2016年部门决算支出合计1790万元。"))]),
            Column("重点领域信息公开", "", areas, perpage=4),
        ]),
        Column("信息公开年报", "", reports),
    ])


# --- URL schemes per CMS ----------------------------------------------------------------------------


class Scheme(abc.ABC):
    """Where the pages of one unit live, and how its CMS writes list pages."""

    def __init__(self, unit: UnitSite):
        self.unit = unit

    @abc.abstractmethod
    def home(self) -> str:
        """See the subclasses."""

    @abc.abstractmethod
    def root(self) -> str:
        """See the subclasses."""

    @abc.abstractmethod
    def col_dir(self, col: Column) -> str:
        """See the subclasses."""

    @abc.abstractmethod
    def list_file(self, col: Column, page: int) -> str:
        """See the subclasses."""

    def col_url(self, col: Column) -> str:
        return self.list_file(col, 0)

    @abc.abstractmethod
    def doc_url(self, col: Column, doc: Doc) -> str:
        """See the subclasses."""

    @abc.abstractmethod
    def att_url(self, col: Column, doc: Doc, att: Attachment) -> tuple[str, str]:
        """(the link written in the page, the file path the bytes live at)."""

    def list_link(self, col: Column, doc: Doc) -> str:
        return self.doc_url(col, doc)


class Trs(Scheme):
    def home(self):
        return self.unit.base + "index.html"

    def root(self):
        return self.unit.base + "xxgk/index.html"

    def col_dir(self, col):
        parts = []
        while col is not None:
            parts.append(col.slug)
            col = col.parent
        return self.unit.base + "xxgk/" + "/".join(reversed(parts)) + "/"

    def list_file(self, col, page):
        return self.col_dir(col) + ("index.html" if page == 0 else f"index_{page}.html")

    def doc_url(self, col, doc):
        d = doc.date[:10].replace("-", "")
        return f"{self.col_dir(col)}{d[:6]}/t{d}_{doc.id}.html"

    def list_link(self, col, doc):
        return "./" + self.doc_url(col, doc)[len(self.col_dir(col)):]

    def att_url(self, col, doc, att):
        path = f"{self.col_dir(col)}{doc.date[:7].replace('-', '')}/{att.name}.{att.kind}"
        return "./" + path.rsplit("/", 1)[1], path


class Yueyang(Scheme):
    def home(self):
        return self.unit.base + "default.htm"

    def root(self):
        return f"{self.unit.base}{self.unit.first_col_id + 1}/default.htm"

    def col_dir(self, col):
        ids = []
        while col is not None:
            ids.append(str(col.id))
            col = col.parent
        return f"{self.unit.base}{self.unit.first_col_id + 1}/" + "/".join(reversed(ids)) + "/"

    def list_file(self, col, page):
        return self.col_dir(col) + ("default.htm" if page == 0 else f"default_{page + 1}.htm")

    def doc_url(self, col, doc):
        return f"{self.col_dir(col)}content_{doc.id}.html"

    def att_url(self, col, doc, att):
        month, stem = att.name.split("/")
        path = f"/uploadfiles/{month}/{stem}.{att.kind}"
        return path, path


class Hanweb(Scheme):
    def home(self):
        return f"/col/col{self.unit.first_col_id}/index.html"

    def root(self):
        return f"/col/col{self.unit.first_col_id + 1}/index.html"

    def col_dir(self, col):
        return f"/col/col{col.id}/"

    def list_file(self, col, page):
        return self.col_dir(col) + "index.html"

    def doc_url(self, col, doc):
        y, m, d = (int(x) for x in doc.date[:10].split("-"))
        return f"/art/{y}/{m}/{d}/art_{col.id}_{doc.id}.html"

    def att_url(self, col, doc, att):
        name = f"{att.name}.{att.kind}"
        return f"/module/download/downfile.jsp?classid=0&filename={name}", f"/attach/0/{name}"


SCHEMES = {"trs": Trs, "yueyang": Yueyang, "hanweb": Hanweb}


# --- rendering ----------------------------------------------------------------------------------------


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def head(unit: UnitSite, title: str, charset: str, metas: dict[str, str], extra: str = "") -> str:
    declared = "gb2312" if charset == "gbk" else "utf-8"
    tags = "".join(f'<meta name="{k}" content="{esc(v)}">\n' for k, v in metas.items() if v)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={declared}">\n'
            f"<title>{esc(title)}</title>\n"
            f'<meta name="SiteName" content="{esc(unit.name)}">\n<meta name="SiteDomain" content="{SITE_DOMAIN}">\n'
            f'<meta name="SiteIDCode" content="{unit.idcode}">\n{tags}{extra}</head>\n')


def footer(unit: UnitSite) -> str:
    return (f'<div class="footer">主办：{esc(unit.name)}　网站标识码：{unit.idcode}　湘ICP备17000000号'
            '　<a href="/index.html">汨水县人民政府门户网站</a></div>\n</body>\n</html>\n')


def nav(unit: UnitSite, scheme: Scheme, trail: list[tuple[str, str]]) -> str:
    crumbs = [f'<a href="{scheme.home()}">首页</a>', f'<a href="{scheme.root()}">信息公开</a>']
    crumbs += [f'<a href="{href}">{esc(name)}</a>' for name, href in trail]
    return f'<div class="header"><h2>{esc(unit.name)}</h2></div>\n<div class="position">当前位置：{" &gt; ".join(crumbs)}</div>\n'


def tree_html(scheme: Scheme, cols: list[Column]) -> str:
    items = []
    for col in cols:
        sub = f"<ul>{tree_html(scheme, col.children)}</ul>" if col.children else ""
        items.append(f'<li><a href="{scheme.col_url(col)}">{esc(col.name)}</a>{sub}</li>')
    return "".join(items)


def trail_of(scheme: Scheme, col: Column) -> list[tuple[str, str]]:
    out = []
    while col is not None:
        out.append((col.name, scheme.col_url(col)))
        col = col.parent
    return list(reversed(out))


TRS_PAGER = """<script language="javascript">
<!--
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt)
{
if(_nPageCount == null || _nPageCount<=1){ return; }
var nav = "";
if(_nCurrIndex > 0) nav += "<a href=\\"" + (_nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (_nCurrIndex-1) + "." + _sPageExt) + "\\">上一页</a> ";
if(_nCurrIndex < _nPageCount-1) nav += "<a href=\\"" + _sPageName + "_" + (_nCurrIndex+1) + "." + _sPageExt + "\\">下一页</a> ";
document.write(nav + "总共" + _nPageCount + "页　当前第" + (_nCurrIndex+1) + "页");
} //WCM置标
-->
</script>
"""


def yueyang_pager(pages: int, current: int) -> str:
    return f"""<script language="javascript">
function gotoPage(num){{
  if(num<1){{ alert("已经是第一页"); }}
  else if(num>{pages}){{ alert("已经是最后一页"); }}
  else if(num==1){{ window.location.href="default.htm"; }}
  else {{ window.location.href="default_"+num+".htm"; }}
}}
</script>
<div class="page">共{pages}页　第{current + 1}页　<a href="javascript:gotoPage({current})">上一页</a> <a href="javascript:gotoPage({current + 2})">下一页</a></div>
"""


def li(href: str, doc: Doc) -> str:
    return f'<li><a href="{href}" target="_blank" title="{esc(doc.title)}">{esc(doc.title)}</a><span>{doc.date[:10]}</span></li>'


class Builder:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.jpage: dict[str, str] = {}
        self.gbk_prefixes: list[str] = []

    def put(self, path: str, data: bytes) -> None:
        assert path.startswith("/") and path not in self.files, path
        self.files[path] = data

    def text(self, unit: UnitSite, path: str, text: str) -> None:
        self.put(path, text.encode(unit.charset))

    def build_unit(self, unit: UnitSite) -> dict:
        scheme = SCHEMES[unit.cms](unit)
        col_id, doc_id = unit.first_col_id + 2, unit.first_doc_id
        by_key: dict[str, tuple[Column, Doc]] = {}

        def number(cols: list[Column], parent: Column | None) -> None:
            nonlocal col_id, doc_id
            for col in cols:
                col.parent, col.id = parent, col_id
                col_id += 1
                for doc in col.docs:
                    doc.id = doc_id
                    doc_id += 1
                    if doc.key:
                        by_key[doc.key] = (col, doc)
                number(col.children, col)

        number(unit.columns, None)
        if unit.charset == "gbk":
            self.gbk_prefixes.append(unit.base)
        # unit home and disclosure root
        tree = f'<div class="xxgk-nav"><ul>{tree_html(scheme, unit.columns)}</ul></div>\n'
        self.text(unit, scheme.home(), head(unit, unit.name, unit.charset, {"ColumnName": "首页"}) + "<body>\n"
                  + nav(unit, scheme, []) + f'<div class="main"><p><a href="{scheme.root()}">政府信息公开</a></p></div>\n' + footer(unit))
        self.text(unit, scheme.root(), head(unit, f"{unit.name}政府信息公开", unit.charset,
                                            {"ColumnName": "政府信息公开", "ColumnType": "信息公开"}) + "<body>\n"
                  + nav(unit, scheme, []) + tree + footer(unit))
        self.render_columns(unit, scheme, unit.columns, tree, by_key)
        return {
            "id": unit.id, "name": unit.name, "kind": unit.kind, "cms": unit.cms, "charset": unit.charset,
            "site": scheme.home(), "disclosure_roots": [scheme.root()],
            "scopes": ["/col/", "/art/", "/module/", "/attach/"] if unit.cms == "hanweb"
            else ["/uploadfiles/"] if unit.cms == "yueyang" else [],
            "subunits": unit.subunits,
        }

    def render_columns(self, unit, scheme, cols, tree, by_key):
        for col in cols:
            self.render_list(unit, scheme, col, tree)
            for doc in col.docs:
                if not doc.broken_href:
                    self.render_doc(unit, scheme, col, doc, by_key)
            self.render_columns(unit, scheme, col.children, tree, by_key)

    def render_list(self, unit, scheme, col, tree):
        metas = {"ColumnName": col.name, "ColumnType": "信息公开",
                 "ColumnDescription": f"{unit.name}{col.name}", "ColumnKeywords": col.name}
        top = head(unit, f"{col.name}_{unit.name}", unit.charset, metas) + "<body>\n" + nav(unit, scheme, trail_of(scheme, col))
        sub = f'<div class="subcols"><ul>{tree_html(scheme, col.children)}</ul></div>\n' if col.children else ""
        docs = col.docs
        if unit.cms == "hanweb":
            self.text(unit, scheme.list_file(col, 0), top + sub + self.hanweb_list(unit, scheme, col) + footer(unit))
            return
        pages = max(1, -(-len(docs) // col.perpage))
        for n in range(pages):
            chunk = docs[n * col.perpage:(n + 1) * col.perpage]
            items = "".join(li(d.broken_href or scheme.list_link(col, d), d) for d in chunk)
            body = f'<div class="list"><ul>{items}</ul></div>\n' if docs or not col.children else ""
            if unit.cms == "trs":
                pager = TRS_PAGER + f'<script>createPageHTML({pages}, {n}, "index", "html");</script>\n' if docs else ""
            else:
                pager = yueyang_pager(pages, n) if docs else ""
            self.text(unit, scheme.list_file(col, n), top + sub + body + pager + footer(unit))

    def hanweb_list(self, unit, scheme, col) -> str:
        if not col.docs:
            return ""
        records = [f'<record><![CDATA[\n<li class="clearfix"><a target="_blank" href="{scheme.doc_url(col, d)}" '
                   f'title="{esc(d.title)}">{esc(d.title)}</a><b>{d.date[:10]}</b></li>]]></record>' for d in col.docs]
        group = col.perpage * 3
        unitid = 30000 + col.id
        webname = quote(quote(unit.name))  # Hanweb writes the site name URL-encoded twice
        params = f"appid=1&webid=7&path=/&columnid={col.id}&unitid={unitid}&webname={webname}&permissiontype=0"
        nextgroup = f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&{params}"></a>]]></nextgroup>'
        self.jpage[str(col.id)] = ("<datastore>\n<recordset>\n" + "\n".join(records) + "\n</recordset>\n</datastore>\n")
        embedded = "\n".join(records[:group])
        pages = -(-len(records) // col.perpage)
        return (f'<div id="{unitid}"><script type="text/xml"><datastore>\n{nextgroup}\n<recordset>\n{embedded}\n'
                f"</recordset>\n</datastore></script>\n"
                f"<script>var jpageParam = {{proxyUrl:'/module/web/jpage/dataproxy.jsp', col:1, appid:1, webid:7, "
                f"path:'/', columnid:{col.id}, unitid:{unitid}, perpage:{col.perpage}, groupSize:3, "
                f"totalRecord:{len(records)}, totalPage:{pages}, permissiontype:0}};</script></div>\n")

    def render_doc(self, unit, scheme, col, doc, by_key):
        url = scheme.doc_url(col, doc)
        metas = {"ColumnName": col.name, "ArticleTitle": doc.title, "PubDate": doc.date,
                 "ContentSource": unit.name, "Keywords": col.name}
        extra = '<meta name="Generator" content="大汉版通">\n' if unit.cms == "hanweb" else ""
        index = f"{unit.orgcode}/{doc.date[:4]}-{doc.id:05d}"
        table = ('<table class="xxgk_table" border="1" cellspacing="0">'
                 f"<tr><th>索引号</th><td>{index}</td><th>发布机构</th><td>{esc(unit.name)}</td></tr>"
                 f"<tr><th>发文字号</th><td>{esc(doc.docno)}</td><th>成文日期</th><td>{doc.written or doc.date[:10]}</td></tr>"
                 f"<tr><th>名称</th><td>{esc(doc.title)}</td><th>发布日期</th><td>{doc.date[:10]}</td></tr></table>\n")
        paras = "".join(f"<p>{esc(x)}</p>" for x in doc.paras) + doc.html
        atts = []
        for att in doc.attachments:
            href, path = scheme.att_url(col, doc, att)
            self.put(path, render_attachment(att))
            atts.append(f'<p>附件：<a href="{href}">{esc(att.title)}.{att.kind}</a></p>')
        for label, key in doc.links:
            tcol, tdoc = by_key[key]
            atts.append(f'<p>{label}：<a href="{scheme.doc_url(tcol, tdoc)}">{esc(tdoc.title)}</a></p>')
        body_html = paras + "".join(atts)
        if unit.cms == "trs":
            content = (f'<div class="article"><h1>{esc(doc.title)}</h1><div class="info">发布时间：{doc.date}　来源：{esc(unit.name)}</div>\n'
                       f'{table}<div class="TRS_Editor">{body_html}</div></div>\n')
        elif unit.cms == "yueyang":
            content = (f'<div class="wznr">{table}<h1 class="content_title">{esc(doc.title)}</h1>\n'
                       f'<div class="wznr_mess">来源：{esc(unit.name)}　日期：{doc.date}　浏览量：<span id="hits"></span></div>\n'
                       f'<div id="content_box">{body_html}</div></div>\n')
        else:
            content = (f'<!-- Produced By 大汉网络 大汉版通发布系统 -->\n{table}<div class="title">{esc(doc.title)}</div>\n'
                       f'<div class="info">发布日期：{doc.date}　信息来源：{esc(unit.name)}</div>\n<div id="zoom">{body_html}</div>\n')
        self.text(unit, url, head(unit, doc.title, unit.charset, metas, extra) + "<body>\n"
                  + nav(unit, scheme, trail_of(scheme, col)) + content + footer(unit))


# --- attachments ----------------------------------------------------------------------------------------


def render_attachment(att: Attachment) -> bytes:
    return render_pdf(att.title, att.paras) if att.kind == "pdf" else render_docx(att.title, att.paras)


def render_pdf(title: str, paras: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    width, height = A4
    y = height - 72
    c.setFont("STSong-Light", 16)
    c.drawCentredString(width / 2, y, title)
    y -= 36
    c.setFont("STSong-Light", 11)
    for para in paras:
        for start in range(0, len(para), 38):
            if y < 72:
                c.showPage()
                c.setFont("STSong-Light", 11)
                y = height - 72
            c.drawString(72, y, para[start:start + 38])
            y -= 18
        y -= 6
    c.save()
    return buf.getvalue()


def render_docx(title: str, paras: list[str]) -> bytes:
    import datetime

    import docx

    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = datetime.datetime(2017, 1, 1)
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for para in paras:
        document.add_paragraph(para)
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps zip entries with the current time: rewrite them with a fixed one (reproducible builds)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- county portal, robots, build -------------------------------------------------------------------------


def portal(units: list[dict]) -> bytes:
    links = "".join(f'<li><a href="{u["site"]}">{esc(u["name"])}</a>（<a href="{u["disclosure_roots"][0]}">信息公开</a>）</li>'
                    for u in units)
    return ('<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<title>汨水县人民政府门户网站</title>\n<meta name="SiteName" content="汨水县人民政府门户网站">\n'
            f'<meta name="SiteDomain" content="{SITE_DOMAIN}">\n<meta name="SiteIDCode" content="4306990001">\n'
            '<meta name="ColumnName" content="首页">\n</head>\n<body>\n<h1>汨水县人民政府门户网站</h1>\n'
            f'<div class="units"><h2>乡镇和部门信息公开</h2><ul>{links}</ul></div>\n'
            '<div class="footer">主办：汨水县人民政府办公室　网站标识码：4306990001　<a href="/admin/login.html">网站管理</a></div>\n'
            '</body>\n</html>\n').encode("utf-8")


ADMIN = ('<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
         "<title>网站内容管理系统</title>\n</head>\n<body>\n<h1>网站内容管理系统登录</h1>\n"
         "<p>本页面仅供网站管理员使用。</p>\n</body>\n</html>\n").encode("utf-8")


def build() -> dict:
    builder = Builder()
    units = [builder.build_unit(u) for u in (xinshi(), baishui(), edu(), land())]
    builder.put("/index.html", portal(units))
    builder.put("/admin/login.html", ADMIN)
    builder.put("/robots.txt", b"User-agent: *\nDisallow: /admin/\n")
    for target in (WWW, JPAGE):
        if target.exists():
            shutil.rmtree(target)
    for path, data in builder.files.items():
        dest = WWW / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    JPAGE.mkdir()
    for col, xml in builder.jpage.items():
        (JPAGE / f"{col}.xml").write_text(xml, encoding="utf-8")
    manifest = {"name": "汨水县政府网站集约化平台（演示）", "gbk_prefixes": builder.gbk_prefixes,
                "robots_disallow": ["/admin/"], "units": units}
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {"files": len(builder.files), "bytes": sum(len(b) for b in builder.files.values())}


if __name__ == "__main__":
    stats = build()
    print(f"已生成演示站点：{stats['files']} 个文件，共 {stats['bytes'] / 1024:.0f} KB → {WWW}")
