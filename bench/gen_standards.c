/*
 * gen_standards.c — synthetic standards catalogue for benchmarks (bench/README.md).
 *
 * Writes N standards (default 1,000,000) as CSV with the columns of
 * docs/modules/standards-api-contract.md. Standalone: no project headers.
 *
 *   cc -O2 -o build/gen_standards bench/gen_standards.c -lm
 *   build/gen_standards --n 1000000 --seed 1 > /tmp/std.csv
 *   build/gen_standards --n 5000 --seed 7 --out /tmp/small.csv --as-of 2026-11-24
 *
 * Tier mix (of rows): national 5%, industry 8%, local 7%, group 10%,
 * enterprise 70%. ~15% of standards have 1-3 older editions (被代替, replaced_by
 * the next edition; the next edition lists them in replaces), ~2.5% of current
 * editions are 废止, editions whose implementation date is after --as-of are
 * 即将实施, ~3% of national chains change prefix (GB <-> GB/T) between editions.
 * Numbers are unique and canonical (4-digit years). Output depends only on
 * --n, --seed and --as-of (no clock, no locale, own PRNG).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ PRNG (xoshiro256**) */
static uint64_t S[4];
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t rnd(void)
{
    uint64_t r = rotl(S[1] * 5, 7) * 9, t = S[1] << 17;
    S[2] ^= S[0]; S[3] ^= S[1]; S[1] ^= S[2]; S[0] ^= S[3]; S[2] ^= t; S[3] = rotl(S[3], 45);
    return r;
}
static void seed_rng(uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        S[i] = z ^ (z >> 31);
    }
}
static uint32_t rn(uint32_t n) { return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32); }
static double rf(void) { return (rnd() >> 11) * (1.0 / 9007199254740992.0); }
#define PICK(a) ((a)[rn(ARRAY_LEN(a))])

/* ------------------------------------------------------------ dates (days since 1970-01-01) */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}
static void fmt_date(char *b, long z) /* b: 32 bytes */
{
    int y, m, d;
    if (z < 0) { b[0] = 0; return; }
    civil_from_days(z, &y, &m, &d);
    snprintf(b, 32, "%04d-%02d-%02d", y % 10000, m, d);
}

/* ------------------------------------------------------------ vocabulary */
typedef struct { const char *zh, *en; } term;

/* aspects: what the document says about its subject */
static const term aspects[] = {
    {"通用技术条件", "General specification"}, {"技术要求", "Technical requirements"},
    {"试验方法", "Test methods"}, {"检验规则", "Inspection rules"},
    {"技术规范", "Technical specification"}, {"安全要求", "Safety requirements"},
    {"安全技术规范", "Safety technical specification"}, {"术语", "Terminology"},
    {"分类与代码", "Classification and codes"}, {"要求", "Requirements"},
    {"评价指南", "Guidelines for evaluation"}, {"评价规范", "Specification for evaluation"},
    {"服务规范", "Service specification"}, {"管理规范", "Management specification"},
    {"运行维护规范", "Specification for operation and maintenance"}, {"设计规范", "Code for design"},
    {"施工质量验收规范", "Code for acceptance of construction quality"},
    {"标志、包装、运输和贮存", "Marking, packaging, transportation and storage"},
    {"质量分级", "Quality grading"}, {"采样方法", "Sampling methods"},
    {"数据格式", "Data format"}, {"接口规范", "Interface specification"},
    {"建设指南", "Guidelines for construction"}, {"可靠性试验方法", "Reliability test methods"},
    {"电磁兼容 要求和试验方法", "Electromagnetic compatibility—Requirements and test methods"},
    {"环境适应性要求", "Environmental adaptability requirements"}, {"标签标识", "Labelling"},
    {"编码规则", "Coding rules"}, {"验收规范", "Specification for acceptance"},
    {"操作规程", "Operating procedures"}, {"技术导则", "Technical guidelines"},
    {"能力评价", "Capability assessment"}, {"节能评价", "Energy saving evaluation"},
    {"绿色产品评价", "Green product assessment"}, {"基本要求", "Basic requirements"},
    {"性能要求", "Performance requirements"}, {"检测方法", "Detection methods"},
    {"质量控制规范", "Specification for quality control"}, {"信息追溯", "Information traceability"},
    {"应急处置规范", "Specification for emergency response"}, {"监测技术规范", "Technical specification for monitoring"},
    {"能效限定值及能效等级", "Minimum allowable values of energy efficiency and energy efficiency grades"},
};

typedef struct {
    const char *name;          /* for documentation only */
    const char *field_zh, *field_en; /* optional leading field ("信息技术") */
    const term *subj; int nsubj;
    const char *const *ics; int nics;
    const char *const *ccs; int nccs;
    const char *const *tc; int ntc;           /* committees */
    const char *dept;                          /* 主管部门 */
    const char *const *ind; int nind;          /* industry codes */
    int food;                                  /* food-safety / analyte titles */
    int building;                              /* GB 50000 engineering numbers */
} domain;

#define T_(a, b) {a, b}
static const term s_quality[] = {
    T_("质量管理体系", "Quality management systems"), T_("顾客满意", "Customer satisfaction"),
    T_("卓越绩效", "Performance excellence"), T_("质量成本", "Quality cost"),
    T_("统计过程控制", "Statistical process control"), T_("测量管理体系", "Measurement management systems"),
    T_("抽样检验", "Sampling inspection"), T_("质量追溯", "Quality traceability"),
    T_("质量信用", "Quality credit"), T_("品牌评价", "Brand evaluation"),
    T_("服务质量", "Service quality"), T_("供应链质量管理", "Supply chain quality management"),
    T_("质量分级", "Quality grading"), T_("产品质量监督抽查", "Product quality supervision sampling"),
};
static const term s_food[] = {
    T_("婴幼儿谷类辅助食品", "cereal-based complementary foods for infants and young children"),
    T_("乳粉", "milk powder"), T_("发酵乳", "fermented milk"), T_("食用植物油", "edible vegetable oil"),
    T_("酱油", "soy sauce"), T_("食醋", "vinegar"), T_("糕点", "pastry"), T_("饼干", "biscuits"),
    T_("饮料", "beverages"), T_("包装饮用水", "packaged drinking water"), T_("蜂蜜", "honey"),
    T_("茶叶", "tea"), T_("绿茶", "green tea"), T_("速冻面米制品", "quick-frozen flour and rice products"),
    T_("熟肉制品", "cooked meat products"), T_("水产制品", "aquatic products"), T_("大米", "rice"),
    T_("小麦粉", "wheat flour"), T_("食用盐", "edible salt"), T_("调味料", "seasonings"),
    T_("月饼", "mooncakes"), T_("白酒", "Chinese spirits"), T_("黄酒", "Huangjiu"),
    T_("腐乳", "fermented bean curd"), T_("方便面", "instant noodles"), T_("果蔬汁", "fruit and vegetable juices"),
};
static const term analytes[] = {
    T_("铅", "lead"), T_("镉", "cadmium"), T_("总汞", "total mercury"), T_("总砷", "total arsenic"),
    T_("甲醛", "formaldehyde"), T_("苯并[a]芘", "benzo[a]pyrene"), T_("黄曲霉毒素B1", "aflatoxin B1"),
    T_("二氧化硫", "sulfur dioxide"), T_("亚硝酸盐", "nitrite"), T_("苯甲酸", "benzoic acid"),
    T_("山梨酸", "sorbic acid"), T_("糖精钠", "sodium saccharin"), T_("多菌灵", "carbendazim"),
    T_("毒死蜱", "chlorpyrifos"), T_("氯霉素", "chloramphenicol"), T_("克伦特罗", "clenbuterol"),
};
static const term methods[] = {
    T_("气相色谱法", "Gas chromatography"), T_("液相色谱-串联质谱法", "Liquid chromatography-tandem mass spectrometry"),
    T_("原子吸收光谱法", "Atomic absorption spectrometry"), T_("电感耦合等离子体质谱法", "Inductively coupled plasma mass spectrometry"),
    T_("分光光度法", "Spectrophotometry"), T_("滴定法", "Titration"), T_("高效液相色谱法", "High performance liquid chromatography"),
    T_("酶联免疫吸附法", "Enzyme-linked immunosorbent assay"),
};
static const term s_elec[] = {
    T_("家用电器", "Household electrical appliances"), T_("家用电冰箱", "Household refrigerators"),
    T_("房间空气调节器", "Room air conditioners"), T_("电动洗衣机", "Electric washing machines"),
    T_("储水式电热水器", "Storage water heaters"), T_("微波炉", "Microwave ovens"),
    T_("吸油烟机", "Range hoods"), T_("电饭锅", "Electric rice cookers"), T_("电动工具", "Electric tools"),
    T_("插头插座", "Plugs and socket-outlets"), T_("照明灯具", "Luminaires"), T_("LED灯具", "LED luminaires"),
    T_("锂离子电池", "Lithium ion batteries"), T_("充电器", "Chargers"), T_("三相异步电动机", "Three-phase asynchronous motors"),
    T_("电线电缆", "Electric wires and cables"), T_("低压断路器", "Low-voltage circuit-breakers"),
};
static const term s_vehicle[] = {
    T_("电动自行车", "Electric bicycles"), T_("电动汽车", "Electric vehicles"), T_("乘用车", "Passenger cars"),
    T_("商用车", "Commercial vehicles"), T_("摩托车", "Motorcycles"), T_("汽车轮胎", "Automobile tyres"),
    T_("动力蓄电池", "Traction batteries"), T_("电动汽车传导充电设备", "Conductive charging equipment for electric vehicles"),
    T_("道路运输车辆卫星定位系统", "Satellite positioning system for road transport vehicles"),
    T_("道路交通信号灯", "Road traffic signal lamps"), T_("汽车座椅", "Vehicle seats"), T_("汽车制动系统", "Braking systems of motor vehicles"),
    T_("校车", "School buses"), T_("挂车", "Trailers"),
};
static const term s_build[] = {
    T_("钢筋混凝土结构", "Reinforced concrete structures"), T_("预拌混凝土", "Ready-mixed concrete"),
    T_("通用硅酸盐水泥", "Common portland cement"), T_("钢筋混凝土用热轧带肋钢筋", "Hot rolled ribbed bars for reinforced concrete"),
    T_("蒸压加气混凝土砌块", "Autoclaved aerated concrete blocks"), T_("防水卷材", "Waterproofing membranes"),
    T_("建筑涂料", "Architectural coatings"), T_("建筑保温材料", "Building thermal insulation materials"),
    T_("建筑外门窗", "External windows and doors of buildings"), T_("玻璃幕墙", "Glass curtain walls"),
    T_("装配式混凝土建筑", "Prefabricated concrete buildings"), T_("钢结构", "Steel structures"),
    T_("建筑外墙外保温系统", "External thermal insulation systems"), T_("陶瓷砖", "Ceramic tiles"),
    T_("人造板", "Wood-based panels"), T_("城镇供水管网", "Urban water supply networks"), T_("综合管廊", "Utility tunnels"),
};
static const term s_it[] = {
    T_("数据中心", "Data centres"), T_("云计算", "Cloud computing"), T_("大数据", "Big data"),
    T_("物联网", "Internet of things"), T_("软件工程", "Software engineering"), T_("网络安全等级保护", "Classified protection of cybersecurity"),
    T_("个人信息", "Personal information"), T_("电子政务", "E-government"), T_("区块链", "Blockchain"),
    T_("人工智能", "Artificial intelligence"), T_("数据元", "Data elements"), T_("智慧城市", "Smart city"),
    T_("中文编码字符集", "Chinese coded character set"), T_("二维码", "Two-dimensional codes"),
    T_("电子签名", "Electronic signature"), T_("政务服务平台", "Government service platform"),
};
static const term s_env[] = {
    T_("环境空气", "Ambient air"), T_("地表水", "Surface water"), T_("土壤", "Soil"),
    T_("一般工业固体废物", "General industrial solid waste"), T_("城镇污水", "Municipal wastewater"),
    T_("工业企业厂界噪声", "Industrial enterprise boundary noise"), T_("挥发性有机物", "Volatile organic compounds"),
    T_("温室气体", "Greenhouse gases"), T_("生活垃圾", "Domestic waste"), T_("危险废物", "Hazardous waste"),
    T_("机动车排气", "Motor vehicle exhaust"), T_("环境管理体系", "Environmental management systems"),
};
static const term s_safety[] = {
    T_("个体防护装备", "Personal protective equipment"), T_("安全帽", "Safety helmets"),
    T_("防护手套", "Protective gloves"), T_("呼吸防护用品", "Respiratory protective equipment"),
    T_("危险化学品", "Hazardous chemicals"), T_("粉尘防爆", "Dust explosion prevention"),
    T_("消防车", "Fire fighting vehicles"), T_("手提式灭火器", "Portable fire extinguishers"),
    T_("火灾报警控制器", "Fire alarm control units"), T_("防火门", "Fire resistant doorsets"),
    T_("消防应急照明", "Fire emergency lighting"), T_("电梯", "Lifts"), T_("起重机械", "Cranes"),
    T_("固定式压力容器", "Stationary pressure vessels"), T_("工业锅炉", "Industrial boilers"),
    T_("职业健康安全管理体系", "Occupational health and safety management systems"),
};
static const term s_textile[] = {
    T_("纺织品", "Textiles"), T_("婴幼儿服装", "Infant garments"), T_("针织内衣", "Knitted underwear"),
    T_("羽绒服装", "Down garments"), T_("床上用品", "Bedding products"), T_("毛巾", "Towels"),
    T_("鞋类", "Footwear"), T_("皮革", "Leather"), T_("玩具", "Toys"), T_("儿童家具", "Children's furniture"),
    T_("木家具", "Wooden furniture"), T_("纸巾纸", "Tissue paper"), T_("化妆品", "Cosmetics"),
    T_("牙膏", "Toothpaste"), T_("洗涤剂", "Detergents"), T_("学生用品", "Student supplies"),
};
static const term s_agri[] = {
    T_("农作物种子", "Crop seeds"), T_("有机肥料", "Organic fertilizers"), T_("复合肥料", "Compound fertilizers"),
    T_("农药", "Pesticides"), T_("绿色食品", "Green food"), T_("有机产品", "Organic products"),
    T_("设施蔬菜", "Protected vegetables"), T_("茶园", "Tea plantations"), T_("畜禽养殖场", "Livestock and poultry farms"),
    T_("配合饲料", "Formula feeds"), T_("农产品", "Agricultural products"), T_("高标准农田", "Well-facilitated farmland"),
    T_("地理标志产品", "Products of geographical indication"),
};
static const term s_metro[] = {
    T_("测量不确定度", "Measurement uncertainty"), T_("电子天平", "Electronic balances"),
    T_("弹性元件式一般压力表", "Elastic element general pressure gauges"), T_("工作用玻璃液体温度计", "Working liquid-in-glass thermometers"),
    T_("饮用冷水水表", "Water meters for cold potable water"), T_("电能表", "Electricity meters"),
    T_("膜式燃气表", "Diaphragm gas meters"), T_("燃油加油机", "Fuel dispensers"),
    T_("检验检测机构", "Inspection and testing bodies"), T_("能力验证", "Proficiency testing"),
    T_("实验室", "Laboratories"), T_("定量包装商品", "Prepackaged commodities"),
};
static const term s_service[] = {
    T_("政务服务", "Government services"), T_("物业服务", "Property management services"),
    T_("养老机构", "Elderly care institutions"), T_("家政服务", "Domestic services"),
    T_("旅游景区", "Tourist attractions"), T_("旅游饭店", "Tourist hotels"), T_("餐饮服务", "Catering services"),
    T_("物流服务", "Logistics services"), T_("冷链物流", "Cold chain logistics"), T_("电子商务", "E-commerce"),
    T_("标准化", "Standardization"), T_("标准体系", "Standard systems"), T_("企业标准化", "Enterprise standardization"),
    T_("社会责任", "Social responsibility"), T_("知识产权管理", "Intellectual property management"),
    T_("标准有效性确认", "Confirmation of standards validity"), T_("社区服务", "Community services"),
};
static const term s_energy[] = {
    T_("能源管理体系", "Energy management systems"), T_("综合能耗", "Comprehensive energy consumption"),
    T_("光伏组件", "Photovoltaic modules"), T_("风力发电机组", "Wind turbine generator systems"),
    T_("电化学储能系统", "Electrochemical energy storage systems"), T_("氢燃料电池", "Hydrogen fuel cells"),
    T_("天然气", "Natural gas"), T_("煤炭", "Coal"), T_("电力变压器", "Power transformers"),
    T_("空气源热泵", "Air source heat pumps"), T_("分布式光伏发电系统", "Distributed photovoltaic power systems"),
    T_("充换电站", "Charging and battery swap stations"),
};
static const term s_med[] = {
    T_("医用口罩", "Medical masks"), T_("一次性使用无菌注射器", "Sterile hypodermic syringes for single use"),
    T_("医用防护服", "Medical protective clothing"), T_("医疗器械", "Medical devices"),
    T_("体外诊断试剂", "In vitro diagnostic reagents"), T_("消毒剂", "Disinfectants"),
    T_("手消毒剂", "Hand disinfectants"), T_("医用电气设备", "Medical electrical equipment"),
    T_("医院消毒供应中心", "Central sterile supply department"), T_("中药材", "Chinese medicinal materials"),
};

#define A_(x) x, (int)ARRAY_LEN(x)
static const char *const ics_q[] = {"03.120.10", "03.120.20", "03.120.30", "03.100.01"};
static const char *const ccs_q[] = {"A00", "A01", "A02", "A41"};
static const char *const tc_q[] = {"全国质量管理和质量保证标准化技术委员会", "全国统计方法应用标准化技术委员会", "全国品牌评价标准化技术委员会"};
static const char *const in_q[] = {"RB", "SB", "WB"};
static const char *const ics_f[] = {"67.040", "67.050", "67.100.10", "67.120.10", "67.140.10", "67.160.10", "67.220.20", "67.060"};
static const char *const ccs_f[] = {"X04", "X09", "X10", "X16", "X28", "X55", "X62", "C53"};
static const char *const tc_f[] = {"全国食品工业标准化技术委员会", "全国粮油标准化技术委员会", "全国茶叶标准化技术委员会", "全国酿酒标准化技术委员会"};
static const char *const in_f[] = {"QB", "SB", "LS", "NY", "SN", "SC", "GH"};
static const char *const ics_e[] = {"97.030", "97.040.30", "23.120", "29.140.40", "29.220.20", "29.060.20", "29.120.30", "29.160.30"};
static const char *const ccs_e[] = {"Y60", "Y61", "K09", "K70", "K84", "K13", "K30"};
static const char *const tc_e[] = {"全国家用电器标准化技术委员会", "全国照明电器标准化技术委员会", "全国电线电缆标准化技术委员会", "全国旋转电机标准化技术委员会", "全国低压电器标准化技术委员会"};
static const char *const in_e[] = {"QB", "SJ", "JB", "NB"};
static const char *const ics_v[] = {"43.020", "43.040.40", "43.080", "43.140", "43.150", "03.220.20", "83.160.10"};
static const char *const ccs_v[] = {"T04", "T24", "T40", "T47", "Y13", "R80", "G41"};
static const char *const tc_v[] = {"全国汽车标准化技术委员会", "全国自行车标准化技术委员会", "全国道路交通管理标准化技术委员会", "全国轮胎轮辋标准化技术委员会"};
static const char *const in_v[] = {"QC", "JT", "GA", "TB"};
static const char *const ics_b[] = {"91.040", "91.080.40", "91.100.10", "91.100.30", "91.120.10", "77.140.60", "91.060.50", "93.025"};
static const char *const ccs_b[] = {"P20", "P22", "P32", "Q11", "Q13", "Q17", "H44", "Q25"};
static const char *const tc_b[] = {"全国水泥标准化技术委员会", "全国建筑构配件标准化技术委员会", "全国钢标准化技术委员会", "全国建筑幕墙门窗标准化技术委员会"};
static const char *const in_b[] = {"JGJ", "JG", "JC", "CJ", "CJJ"};
static const char *const ics_i[] = {"35.020", "35.030", "35.040", "35.080", "35.110", "35.240.01", "35.240.50"};
static const char *const ccs_i[] = {"L70", "L71", "L80", "L67", "L77", "L61"};
static const char *const tc_i[] = {"全国信息技术标准化技术委员会", "全国网络安全标准化技术委员会", "全国电子业务标准化技术委员会"};
static const char *const in_i[] = {"SJ", "YD", "GA", "GM", "JR"};
static const char *const ics_n[] = {"13.020.10", "13.040.20", "13.060.10", "13.080.01", "13.030.10", "13.140", "13.020.40"};
static const char *const ccs_n[] = {"Z00", "Z04", "Z15", "Z50", "Z60", "Z70", "Z18"};
static const char *const tc_n[] = {"全国环境管理标准化技术委员会", "全国碳排放管理标准化技术委员会"};
static const char *const in_n[] = {"HJ"};
static const char *const ics_s[] = {"13.100", "13.220.10", "13.340.10", "13.300", "91.140.90", "53.020.20", "23.020.30", "27.060.30"};
static const char *const ccs_s[] = {"C65", "C70", "C73", "C81", "C84", "Q78", "J74", "J98"};
static const char *const tc_s[] = {"全国个体防护装备标准化技术委员会", "全国消防标准化技术委员会", "全国电梯标准化技术委员会", "全国起重机械标准化技术委员会", "全国锅炉压力容器标准化技术委员会", "全国安全生产标准化技术委员会"};
static const char *const in_s[] = {"AQ", "XF", "GA", "MT", "YJ", "KA"};
static const char *const ics_t[] = {"59.080.01", "61.020", "61.060", "97.200.50", "97.140", "85.080", "71.100.70", "71.100.40"};
static const char *const ccs_t[] = {"W04", "W59", "Y78", "Y80", "Y32", "Y42", "Y41"};
static const char *const tc_t[] = {"全国纺织品标准化技术委员会", "全国玩具标准化技术委员会", "全国家具标准化技术委员会", "全国造纸工业标准化技术委员会", "全国香料香精化妆品标准化技术委员会"};
static const char *const in_t[] = {"FZ", "QB"};
static const char *const ics_a[] = {"65.020.20", "65.020.01", "65.080", "65.100", "65.120", "67.080"};
static const char *const ccs_a[] = {"B00", "B05", "B22", "B17", "B31", "B43"};
static const char *const tc_a[] = {"全国肥料和土壤调理剂标准化技术委员会", "全国农药标准化技术委员会", "全国饲料工业标准化技术委员会", "全国农作物种子标准化技术委员会"};
static const char *const in_a[] = {"NY", "LY", "SC", "GH", "LS"};
static const char *const ics_m[] = {"17.020", "17.060", "17.100", "17.200.20", "17.220.20", "03.120.20", "91.140.40"};
static const char *const ccs_m[] = {"A50", "A53", "A55", "A56", "N11", "A00"};
static const char *const tc_m[] = {"全国认证认可标准化技术委员会", "全国法制计量管理计量技术委员会"};
static const char *const in_m[] = {"JJF", "JJG", "RB"};
static const char *const ics_v2[] = {"03.080.01", "03.080.30", "03.100.01", "03.200", "03.220.01", "01.120", "03.160"};
static const char *const ccs_v2[] = {"A12", "A16", "A20", "A00", "A10", "D04"};
static const char *const tc_v2[] = {"全国服务标准化技术委员会", "全国物流标准化技术委员会", "全国标准化原理与方法标准化技术委员会", "全国社会管理和公共服务标准化技术委员会", "全国旅游标准化技术委员会"};
static const char *const in_v2[] = {"SB", "LB", "MZ", "WB", "YZ", "JR"};
static const char *const ics_g[] = {"27.010", "27.160", "27.180", "27.070", "75.060", "73.040", "29.180", "27.080"};
static const char *const ccs_g[] = {"F01", "F10", "F12", "F11", "K41", "E24", "D21"};
static const char *const tc_g[] = {"全国能源基础与管理标准化技术委员会", "全国太阳光伏能源系统标准化技术委员会", "全国风力机械标准化技术委员会", "全国氢能标准化技术委员会"};
static const char *const in_g[] = {"NB", "DL", "NB/SH", "NB/SY", "SY", "SH", "MT"};
static const char *const ics_d[] = {"11.040.40", "11.040.25", "11.140", "11.080.20", "11.100.10", "11.120.01", "11.040.01"};
static const char *const ccs_d[] = {"C30", "C31", "C48", "C50", "C05", "C10", "C23"};
static const char *const tc_d[] = {"全国医用电器标准化技术委员会", "全国医用注射器(针)标准化技术委员会", "全国消毒技术与设备标准化技术委员会", "全国医疗器械质量管理和通用要求标准化技术委员会"};
static const char *const in_d[] = {"YY", "WS", "ZY"};

static const domain domains[] = {
    {"quality", NULL, NULL, A_(s_quality), A_(ics_q), A_(ccs_q), A_(tc_q), "国家标准化管理委员会", A_(in_q), 0, 0},
    {"food", NULL, NULL, A_(s_food), A_(ics_f), A_(ccs_f), A_(tc_f), "国家卫生健康委员会", A_(in_f), 1, 0},
    {"electrical", "电工电子产品", "Electrical and electronic products", A_(s_elec), A_(ics_e), A_(ccs_e), A_(tc_e), "工业和信息化部", A_(in_e), 0, 0},
    {"vehicles", NULL, NULL, A_(s_vehicle), A_(ics_v), A_(ccs_v), A_(tc_v), "工业和信息化部", A_(in_v), 0, 0},
    {"building", NULL, NULL, A_(s_build), A_(ics_b), A_(ccs_b), A_(tc_b), "住房和城乡建设部", A_(in_b), 0, 1},
    {"it", "信息技术", "Information technology", A_(s_it), A_(ics_i), A_(ccs_i), A_(tc_i), "国家标准化管理委员会", A_(in_i), 0, 0},
    {"environment", NULL, NULL, A_(s_env), A_(ics_n), A_(ccs_n), A_(tc_n), "生态环境部", A_(in_n), 0, 0},
    {"safety", NULL, NULL, A_(s_safety), A_(ics_s), A_(ccs_s), A_(tc_s), "应急管理部", A_(in_s), 0, 0},
    {"consumer", NULL, NULL, A_(s_textile), A_(ics_t), A_(ccs_t), A_(tc_t), "国家标准化管理委员会", A_(in_t), 0, 0},
    {"agriculture", NULL, NULL, A_(s_agri), A_(ics_a), A_(ccs_a), A_(tc_a), "农业农村部", A_(in_a), 0, 0},
    {"metrology", NULL, NULL, A_(s_metro), A_(ics_m), A_(ccs_m), A_(tc_m), "国家市场监督管理总局", A_(in_m), 0, 0},
    {"services", NULL, NULL, A_(s_service), A_(ics_v2), A_(ccs_v2), A_(tc_v2), "国家标准化管理委员会", A_(in_v2), 0, 0},
    {"energy", NULL, NULL, A_(s_energy), A_(ics_g), A_(ccs_g), A_(tc_g), "国家能源局", A_(in_g), 0, 0},
    {"medical", NULL, NULL, A_(s_med), A_(ics_d), A_(ccs_d), A_(tc_d), "国家药品监督管理局", A_(in_d), 0, 0},
};
#define NDOM ((int)ARRAY_LEN(domains))

/* industry codes (all of them, for counters); must match the domain lists */
static const char *const ind_codes[] = {"RB", "SB", "WB", "QB", "LS", "NY", "SN", "SC", "GH", "SJ", "JB", "NB",
                                        "QC", "JT", "GA", "TB", "JGJ", "JG", "JC", "CJ", "CJJ", "YD", "GM", "JR",
                                        "HJ", "AQ", "XF", "MT", "YJ", "KA", "FZ", "LY", "JJF", "JJG", "LB", "MZ",
                                        "YZ", "DL", "NB/SH", "NB/SY", "SY", "SH", "YY", "WS", "ZY"};
#define NIND ((int)ARRAY_LEN(ind_codes))
static int ind_index(const char *c)
{
    for (int i = 0; i < NIND; i++)
        if (!strcmp(ind_codes[i], c)) return i;
    fprintf(stderr, "gen_standards: industry code %s missing from ind_codes\n", c);
    exit(2);
}

static const struct { const char *code, *name; } provinces[] = {
    {"11", "北京市"}, {"12", "天津市"}, {"13", "河北省"}, {"14", "山西省"}, {"15", "内蒙古自治区"},
    {"21", "辽宁省"}, {"22", "吉林省"}, {"23", "黑龙江省"}, {"31", "上海市"}, {"32", "江苏省"},
    {"33", "浙江省"}, {"34", "安徽省"}, {"35", "福建省"}, {"36", "江西省"}, {"37", "山东省"},
    {"41", "河南省"}, {"42", "湖北省"}, {"43", "湖南省"}, {"44", "广东省"}, {"45", "广西壮族自治区"},
    {"46", "海南省"}, {"50", "重庆市"}, {"51", "四川省"}, {"52", "贵州省"}, {"53", "云南省"},
    {"54", "西藏自治区"}, {"61", "陕西省"}, {"62", "甘肃省"}, {"63", "青海省"}, {"64", "宁夏回族自治区"},
    {"65", "新疆维吾尔自治区"},
};
#define NPROV ((int)ARRAY_LEN(provinces))
static const struct { const char *code, *name; } cities[] = {
    {"3301", "杭州市"}, {"3302", "宁波市"}, {"4401", "广州市"}, {"4403", "深圳市"}, {"3201", "南京市"},
    {"3205", "苏州市"}, {"3702", "青岛市"}, {"2102", "大连市"}, {"3502", "厦门市"}, {"5101", "成都市"},
    {"4201", "武汉市"}, {"6101", "西安市"}, {"3701", "济南市"}, {"4101", "郑州市"},
};
#define NCITY ((int)ARRAY_LEN(cities))

static const struct { const char *code, *name; int pad; int dom; } orgs[] = {
    {"CECS", "中国工程建设标准化协会", 0, 4}, {"CAS", "中国标准化协会", 0, 11}, {"CCSA", "中国通信标准化协会", 0, 5},
    {"CSTM", "中关村材料试验技术联盟", 5, 4}, {"ZZB", "浙江省品牌建设联合会", 4, 2}, {"CNIA", "中国有色金属工业协会", 0, 12},
    {"CSAE", "中国汽车工程学会", 0, 3}, {"CEC", "中国电力企业联合会", 0, 12}, {"CFLP", "中国物流与采购联合会", 4, 11},
    {"CNTAC", "中国纺织工业联合会", 0, 8}, {"CMIF", "中国机械工业联合会", 0, 2}, {"CAQ", "中国质量协会", 0, 0},
    {"CBDA", "中国建筑装饰协会", 0, 4}, {"CIE", "中国电子学会", 0, 5}, {"CNFIA", "中国食品工业协会", 0, 1},
    {"CHEAA", "中国家用电器协会", 4, 2}, {"CPIA", "中国光伏行业协会", 0, 12}, {"CSES", "中国环境科学学会", 0, 6},
    {"CAB", "中国产学研合作促进会", 4, 11}, {"CI", "中国国际科技促进会", 0, 9},
};
#define NORG ((int)ARRAY_LEN(orgs))

/* enterprise names: city + trade name + business + suffix */
static const char *const e_city[] = {"杭州", "宁波", "苏州", "无锡", "佛山", "东莞", "青岛", "烟台", "泉州", "温州",
                                     "合肥", "长沙", "成都", "重庆", "郑州", "石家庄", "沈阳", "昆明", "南宁", "济南"};
static const char *const e_trade[] = {"华信", "宏达", "鑫源", "天成", "恒泰", "金龙", "瑞丰", "新世纪", "中科", "永盛",
                                      "佳美", "同创", "海纳", "博远", "正大", "安康", "绿源", "德润", "华康", "联创"};
/* business by domain (same order as domains[]) */
static const char *const e_biz[] = {"质量技术服务", "食品", "电器", "汽车零部件", "建材", "信息技术", "环保科技",
                                    "安全设备", "日用品", "农业发展", "仪器仪表", "物业服务", "新能源科技", "医疗器械"};

/* 主管部门 / issuer of industry standards, by code */
static const struct { const char *code, *dept; } ind_dept[] = {
    {"QB", "工业和信息化部"}, {"SB", "商务部"}, {"LS", "国家粮食和物资储备局"}, {"NY", "农业农村部"},
    {"SN", "海关总署"}, {"SC", "农业农村部"}, {"GH", "中华全国供销合作总社"}, {"SJ", "工业和信息化部"},
    {"JB", "工业和信息化部"}, {"NB", "国家能源局"}, {"QC", "工业和信息化部"}, {"JT", "交通运输部"},
    {"GA", "公安部"}, {"TB", "国家铁路局"}, {"JGJ", "住房和城乡建设部"}, {"JG", "住房和城乡建设部"},
    {"JC", "工业和信息化部"}, {"CJ", "住房和城乡建设部"}, {"CJJ", "住房和城乡建设部"}, {"YD", "工业和信息化部"},
    {"GM", "国家密码管理局"}, {"JR", "中国人民银行"}, {"HJ", "生态环境部"}, {"AQ", "应急管理部"},
    {"XF", "应急管理部"}, {"MT", "国家矿山安全监察局"}, {"YJ", "应急管理部"}, {"KA", "国家矿山安全监察局"},
    {"FZ", "工业和信息化部"}, {"LY", "国家林业和草原局"}, {"JJF", "国家市场监督管理总局"},
    {"JJG", "国家市场监督管理总局"}, {"RB", "国家认证认可监督管理委员会"}, {"LB", "文化和旅游部"},
    {"MZ", "民政部"}, {"WB", "国家粮食和物资储备局"}, {"YZ", "国家邮政局"}, {"DL", "国家能源局"},
    {"NB/SH", "国家能源局"}, {"NB/SY", "国家能源局"}, {"SY", "国家能源局"}, {"SH", "工业和信息化部"},
    {"YY", "国家药品监督管理局"}, {"WS", "国家卫生健康委员会"}, {"ZY", "国家中医药管理局"},
};
static const char *industry_dept(const char *code)
{
    for (size_t i = 0; i < ARRAY_LEN(ind_dept); i++)
        if (!strcmp(ind_dept[i].code, code)) return ind_dept[i].dept;
    return NULL;
}
static const char *const e_suffix[] = {"有限公司", "股份有限公司", "集团有限公司"};

/* ------------------------------------------------------------ output */
static FILE *out;
static void put(const char *s)
{
    /* RFC 4180: quote when the field has a comma, quote or line break */
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, out); return; }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"') putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

typedef struct {
    char number[96], title[256], title_en[320], replaces[256], replaced_by[256];
    char issuer[128], scope[512], adopted[48], degree[8];
    const char *status, *ics, *ccs, *dept, *tc;
    long issued, implemented, withdrawn;
} row;

static void emit(const row *r, const char *source)
{
    char d1[32], d2[32], d3[32];
    fmt_date(d1, r->issued); fmt_date(d2, r->implemented); fmt_date(d3, r->withdrawn);
    const char *f[] = {r->number, r->title, r->title_en, r->status, d1, d2, d3, r->replaces, r->replaced_by,
                       r->ics, r->ccs, r->dept, r->tc, r->issuer, r->adopted, r->degree, r->scope, source};
    for (size_t i = 0; i < ARRAY_LEN(f); i++) {
        if (i) putc(',', out);
        put(f[i] ? f[i] : "");
    }
    fputs("\r\n", out);
}

/* ------------------------------------------------------------ generator state */
enum { NATIONAL, INDUSTRY, LOCAL, GROUP, ENTERPRISE };
static int nat_next = 100, eng_next = 50001;
static int ind_next[NIND];
static int loc_next[NPROV + NCITY];
static int org_next[NORG];
static int *ent_next;
static long n_ent;
static long as_of;

static int pick_year(void)
{
    /* editions are mostly recent: exponential age, mean ~9 years, 1985..2026 */
    for (;;) {
        int age = (int)(-log(1.0 - rf()) * 9.0);
        if (age <= 41) return 2026 - age;
    }
}

static long issue_date(int y)
{
    long a = days_from_civil(y, 1, 1), b = days_from_civil(y, 12, 31);
    if (b > as_of) b = as_of;
    if (b < a) b = a;
    return a + rn((uint32_t)(b - a + 1));
}

static void enterprise_code(long e, char *buf, size_t cap)
{
    if (e % 5 == 0) { /* region-coded: Q/320582 ABC */
        long j = e / 5;
        int prov = (int)(j % NPROV);
        long county = 100 + (j / NPROV) % 9000;
        uint32_t l = (uint32_t)((j * 7919u) % 17576u);
        snprintf(buf, cap, "Q/%s%04ld %c%c%c", provinces[prov].code, county, 'A' + (int)(l / 676),
                 'A' + (int)(l / 26 % 26), 'A' + (int)(l % 26));
    } else { /* letters: Q/HXDZ, a bijection of e on 26^4 */
        uint32_t v = (uint32_t)(((uint64_t)e * 104729u + 12345u) % 456976u);
        snprintf(buf, cap, "Q/%c%c%c%c", 'A' + (int)(v / 17576), 'A' + (int)(v / 676 % 26),
                 'A' + (int)(v / 26 % 26), 'A' + (int)(v % 26));
    }
}

typedef struct {
    int tier, dom;
    char prefix[32];      /* "GB/T", "QC/T", "DB11/T", "DB11/", "T/CECS", "Q/HXDZ" */
    char alt_prefix[32];  /* national prefix change for older editions, or "" */
    char base[24];        /* "19580", "0012" */
    int ent_food;         /* enterprise food standard: 0001S */
    const char *issuer_fixed;
    const char *dept;     /* 主管部门 (national: the domain's; industry: the code's) */
    char issuer_buf[128];
    const char *region_name;
} series;

static const char *national_issuer(long issued)
{
    if (issued >= days_from_civil(2018, 4, 1)) return "国家市场监督管理总局; 国家标准化管理委员会";
    if (issued >= days_from_civil(2001, 11, 1)) return "中华人民共和国国家质量监督检验检疫总局; 中国国家标准化管理委员会";
    if (issued >= days_from_civil(1998, 4, 1)) return "国家质量技术监督局";
    return "国家技术监督局";
}

static void make_title(const series *s, const term *subj, const term *asp, int part, row *r, int en)
{
    const domain *d = &domains[s->dom];
    char partz[64] = "", parte[64] = "";
    if (part) {
        snprintf(partz, sizeof partz, " 第%d部分：", part);
        snprintf(parte, sizeof parte, "—Part %d: ", part);
    }
    if (d->food && rn(3) == 0) { /* determination methods */
        const term *an = &PICK(analytes), *me = &PICK(methods);
        int fss = s->tier == NATIONAL && s->prefix[2] == 0; /* mandatory GB */
        snprintf(r->title, sizeof r->title, "%s%s中%s的测定%s%s", fss ? "食品安全国家标准 " : "", subj->zh, an->zh,
                 part ? partz : " ", me->zh);
        if (en)
            snprintf(r->title_en, sizeof r->title_en, "%sDetermination of %s in %s%s%s",
                     fss ? "National food safety standard—" : "", an->en, subj->en, part ? parte : "—", me->en);
        return;
    }
    if (d->food && s->tier == NATIONAL && s->prefix[2] == 0) {
        snprintf(r->title, sizeof r->title, "食品安全国家标准 %s%s%s", subj->zh, part ? partz : "", part ? asp->zh : "");
        if (en)
            snprintf(r->title_en, sizeof r->title_en, "National food safety standard—%c%s%s%s", subj->en[0] & ~0x20,
                     subj->en + 1, part ? parte : "", part ? asp->en : "");
        return;
    }
    int field = d->field_zh && rn(2) == 0;
    snprintf(r->title, sizeof r->title, "%s%s%s%s%s", field ? d->field_zh : "", field ? " " : "", subj->zh,
             part ? partz : " ", asp->zh);
    if (en)
        snprintf(r->title_en, sizeof r->title_en, "%s%s%s%s%s", field ? d->field_en : "", field ? "—" : "",
                 subj->en, part ? parte : "—", asp->en);
    if (s->tier == ENTERPRISE && rn(3) == 0 && s->dom >= 1 && s->dom <= 4) /* often just the product name */
        snprintf(r->title, sizeof r->title, "%s", subj->zh);
}

/* one standard (one std_key) with its editions; returns rows written */
static long write_chain(series *s, int part, long budget, const char *source)
{
    const domain *d = &domains[s->dom];
    int nold = 0;
    double u = rf();
    if (u < 0.09) nold = 1; else if (u < 0.135) nold = 2; else if (u < 0.15) nold = 3;
    if (nold + 1 > budget) nold = (int)budget - 1;
    int years[4];
    years[nold] = pick_year();
    for (int k = nold - 1; k >= 0; k--) {
        years[k] = years[k + 1] - 3 - (int)rn(10);
        if (years[k] < 1985) { /* not enough history: drop the oldest editions */
            int drop = k + 1;
            for (int j = 0; j + drop <= nold; j++) years[j] = years[j + drop];
            nold -= drop;
            break;
        }
    }
    const term *subj = &d->subj[rn((uint32_t)d->nsubj)];
    const term *asp = &PICK(aspects);
    const char *ics = d->ics[rn((uint32_t)d->nics)], *ccs = d->ccs[rn((uint32_t)d->nccs)];
    const char *tc = d->tc[rn((uint32_t)d->ntc)];
    int en = s->tier == NATIONAL;
    int change_prefix = s->alt_prefix[0] && nold > 0;
    int withdraw = rf() < 0.025;
    int adopt = s->tier == NATIONAL && rf() < 0.10;
    char adopted[48] = "", degree[8] = "";
    if (adopt) {
        int iso = rn(4) != 0;
        snprintf(adopted, sizeof adopted, "%s %u%s", iso ? "ISO" : "IEC", iso ? 1000 + rn(59000) : 60000 + rn(3000),
                 rn(3) == 0 ? "-1" : "");
        strcpy(degree, rn(10) < 6 ? "IDT" : rn(3) ? "MOD" : "NEQ");
    }

    row r[4];
    memset(r, 0, sizeof r);
    for (int k = 0; k <= nold; k++) {
        row *x = &r[k];
        const char *pfx = (change_prefix && k < nold && k == 0) ? s->alt_prefix : s->prefix;
        if (part)
            snprintf(x->number, sizeof x->number, "%s %s.%d%s-%d", pfx, s->base, part, s->ent_food ? "S" : "", years[k]);
        else
            snprintf(x->number, sizeof x->number, "%s %s%s-%d", pfx, s->base, s->ent_food ? "S" : "", years[k]);
        make_title(s, subj, asp, part, x, en);
        if (k < nold && rn(4) == 0 && !(domains[s->dom].food && strncmp(x->title, "食品安全国家标准", 8) == 0))
        { /* older editions sometimes had another title */
            char pz[40];
            snprintf(pz, sizeof pz, part ? " 第%d部分：" : " ", part);
            snprintf(x->title, sizeof x->title, "%s%s%s", subj->zh, pz, PICK(aspects).zh);
        }
        x->issued = issue_date(years[k]);
        int lag;
        switch (s->tier) {
        case NATIONAL: lag = 90 + (int)rn(366); break;
        case INDUSTRY: lag = 60 + (int)rn(240); break;
        case LOCAL: lag = 30 + (int)rn(120); break;
        case GROUP: lag = (int)rn(60); break;
        default: lag = rn(2) ? 0 : (int)rn(30);
        }
        x->implemented = x->issued + lag;
        if (k == nold && x->implemented > as_of && rn(5) != 0) /* keep 即将实施 rare */
            x->implemented = x->issued + rn((uint32_t)(as_of - x->issued + 1));
        x->withdrawn = -1;
        x->ics = ics; x->ccs = ccs;
        x->dept = s->dept;
        x->tc = s->tier == NATIONAL || s->tier == INDUSTRY ? tc : NULL;
        if (s->tier == NATIONAL) snprintf(x->issuer, sizeof x->issuer, "%s", national_issuer(x->issued));
        else snprintf(x->issuer, sizeof x->issuer, "%s", s->issuer_fixed ? s->issuer_fixed : s->issuer_buf);
        if (adopt) { strcpy(x->adopted, adopted); sprintf(x->adopted + strlen(adopted), ":%d", years[k] - 1 - (int)rn(3)); strcpy(x->degree, degree); }
        if (s->tier <= INDUSTRY || rn(5) == 0)
            snprintf(x->scope, sizeof x->scope, "本文件规定了%s的%s。本文件适用于%s的%s。", subj->zh, asp->zh, subj->zh,
                     rn(2) ? "生产、检验和销售" : "设计、评价和管理");
    }
    for (int k = nold - 1; k >= 0; k--) /* an edition is in force before its successor */
        if (r[k].implemented >= r[k + 1].implemented) r[k].implemented = r[k].issued;
    /* editions: status and links */
    for (int k = 0; k <= nold; k++) {
        row *x = &r[k];
        if (k < nold) {
            strcpy(x->replaced_by, r[k + 1].number);
            strcpy(r[k + 1].replaces, x->number);
            x->withdrawn = r[k + 1].implemented;
            x->status = x->withdrawn <= as_of ? "被代替" : "现行";
        } else if (x->implemented > as_of) {
            x->status = "即将实施";
        } else if (withdraw && as_of - x->implemented > 400) {
            x->withdrawn = x->implemented + 365 + rn((uint32_t)(as_of - x->implemented - 365));
            x->status = "废止";
        } else {
            x->status = "现行";
        }
        emit(x, source);
    }
    return nold + 1;
}

static void new_series(series *s, int tier)
{
    memset(s, 0, sizeof *s);
    s->tier = tier;
    s->dom = (int)rn(NDOM);
    const domain *d = &domains[s->dom];
    switch (tier) {
    case NATIONAL: {
        double u = rf();
        const char *p = u < 0.10 ? "GB" : u < 0.98 ? "GB/T" : "GB/Z";
        strcpy(s->prefix, p);
        if (strcmp(p, "GB/Z") && rf() < 0.03) strcpy(s->alt_prefix, strcmp(p, "GB") ? "GB" : "GB/T");
        int n;
        if (d->building && rn(2)) n = eng_next, eng_next += 1 + (rn(4) == 0);
        else {
            n = nat_next; nat_next += 1 + (rn(4) == 0);
            if (nat_next >= 50000 && nat_next < 60000) nat_next = 60000; /* 50000-59999: engineering */
        }
        snprintf(s->base, sizeof s->base, "%d", n);
        s->dept = d->dept;
        break;
    }
    case INDUSTRY: {
        const char *c = d->ind[rn((uint32_t)d->nind)];
        int i = ind_index(c);
        int nosuffix = !strcmp(c, "JJF") || !strcmp(c, "JJG");
        snprintf(s->prefix, sizeof s->prefix, "%s%s", c, nosuffix || rn(8) == 0 ? "" : "/T");
        if (ind_next[i] == 0) ind_next[i] = 1;
        snprintf(s->base, sizeof s->base, "%d", ind_next[i]);
        ind_next[i] += 1 + (rn(3) == 0);
        s->issuer_fixed = s->dept = industry_dept(c);
        break;
    }
    case LOCAL: {
        int city = rn(7) == 0;
        int i = city ? NPROV + (int)rn(NCITY) : (int)rn(NPROV);
        const char *code = city ? cities[i - NPROV].code : provinces[i].code;
        const char *name = city ? cities[i - NPROV].name : provinces[i].name;
        int food = !city && d->food && rn(3) == 0;
        snprintf(s->prefix, sizeof s->prefix, "%s%s/%s", food ? "DBS" : "DB", code, food || rn(20) == 0 ? "" : "T");
        if (loc_next[i] == 0) loc_next[i] = 1;
        snprintf(s->base, sizeof s->base, food ? "%03d" : "%d", loc_next[i]);
        loc_next[i] += 1 + (rn(3) == 0);
        snprintf(s->issuer_buf, sizeof s->issuer_buf, "%s市场监督管理局", name);
        s->region_name = name;
        break;
    }
    case GROUP: {
        int i = (int)rn(NORG);
        s->dom = rn(5) ? orgs[i].dom : s->dom;
        snprintf(s->prefix, sizeof s->prefix, "T/%s", orgs[i].code);
        if (org_next[i] == 0) org_next[i] = 1;
        snprintf(s->base, sizeof s->base, "%0*d", orgs[i].pad, org_next[i]);
        org_next[i] += 1;
        s->issuer_fixed = orgs[i].name;
        break;
    }
    default: {
        double u = rf();
        long e = (long)(u * u * (double)n_ent); /* a few enterprises have many standards */
        enterprise_code(e, s->prefix, sizeof s->prefix);
        snprintf(s->base, sizeof s->base, "%04d", ++ent_next[e]);
        uint64_t h = (uint64_t)(e + 1) * 0x9e3779b97f4a7c15ULL;
        int edom = (int)((h >> 32) % NDOM); /* an enterprise works mostly in one domain */
        if (rn(5)) s->dom = edom;
        s->ent_food = domains[s->dom].food && rn(2) == 0;
        snprintf(s->issuer_buf, sizeof s->issuer_buf, "%s%s%s%s", e_city[h % ARRAY_LEN(e_city)],
                 e_trade[(h >> 16) % ARRAY_LEN(e_trade)], e_biz[edom], e_suffix[(h >> 48) % ARRAY_LEN(e_suffix)]);
    }
    }
}

static void usage(void)
{
    fputs("usage: gen_standards [--n N] [--seed S] [--out FILE] [--as-of YYYY-MM-DD] [--no-header]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    unsigned long long seed = 1;
    const char *path = NULL, *asof = "2026-11-24";
    int header = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--as-of") && i + 1 < argc) asof = argv[++i];
        else if (!strcmp(argv[i], "--no-header")) header = 0;
        else usage();
    }
    int ay, am, ad;
    if (n < 0 || sscanf(asof, "%d-%d-%d", &ay, &am, &ad) != 3) usage();
    as_of = days_from_civil(ay, am, ad);
    seed_rng(seed);
    out = path ? fopen(path, "wb") : stdout;
    if (!out) { perror(path); return 1; }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);

    n_ent = n / 8 + 16; /* ~8 enterprise standards per enterprise on average */
    if (n_ent > 456976) n_ent = 456976; /* 4-letter codes are a bijection of e below 26^4 */
    ent_next = calloc((size_t)n_ent, sizeof *ent_next);
    if (!ent_next) { perror("calloc"); return 1; }

    char source[64];
    snprintf(source, sizeof source, "synthetic: bench/gen_standards seed=%llu", seed);
    if (header)
        fputs("number,title_zh,title_en,status,issued_on,implemented_on,withdrawn_on,replaces,replaced_by,ics,ccs,"
              "department,committee,issuer,adopted,adoption_degree,scope,source\r\n", out);

    /* rows per tier are held to the mix exactly: pick the tier furthest behind its share */
    static const double share[5] = {0.05, 0.08, 0.07, 0.10, 0.70};
    long done[5] = {0}, total = 0;
    series s;
    while (total < n) {
        int t = 0;
        double worst = 1e300;
        for (int i = 0; i < 5; i++) {
            double lag = done[i] - share[i] * (double)(total + 1);
            if (lag < worst) worst = lag, t = i;
        }
        new_series(&s, t);
        int parts = rf() < 0.04 ? 2 + (int)rn(5) : 0; /* GB/T 1234.1, .2, ... */
        if (parts == 0) {
            long w = write_chain(&s, 0, n - total, source);
            done[t] += w; total += w;
        } else {
            for (int p = 1; p <= parts && total < n; p++) {
                long w = write_chain(&s, p, n - total, source);
                done[t] += w; total += w;
            }
        }
    }
    if (fflush(out) != 0 || (path && fclose(out) != 0)) { perror("write"); return 1; }
    free(ent_next);
    return 0;
}
