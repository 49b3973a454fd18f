/*
 * test_std_number.c — std_number_parse on real Chinese standard numbers,
 * each written the way people actually type or paste them (full-width,
 * lower case, em dashes, missing slashes and spaces, two-digit years,
 * titles after the number), and on inputs it must refuse with a precise
 * message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "standards/number.h"

enum {
    NA = STD_TIER_NATIONAL,
    IN = STD_TIER_INDUSTRY,
    LO = STD_TIER_LOCAL,
    GR = STD_TIER_GROUP,
    EN = STD_TIER_ENTERPRISE,
    ME = STD_TIER_METROLOGY,
    SS = STD_TIER_SAFETY_SPEC
};
enum {
    M = STD_NATURE_MANDATORY,
    R = STD_NATURE_RECOMMENDED,
    G = STD_NATURE_GUIDANCE,
    X = STD_NATURE_NONE
};

typedef struct row {
    const char *in;        /* messy input */
    const char *canonical; /* expected canonical form */
    int tier, nature, year;
    const char *number;
    const char *extra; /* NULL, or "am=XG1-2022", "dual=ISO ...", "ed=2018年版" */
} row;

/* Real standard numbers. Comments name the standard where it helps. */
static const row rows[] = {
    /* --- national: GB/T, the canonical forms and every kind of mess --- */
    {"GB/T 19580-2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL}, /* 卓越绩效评价准则 */
    {"gb/t19580-2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"GB／T　19580—2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"GBT 19580-2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"GB/T  19580 - 2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"ＧＢ／Ｔ１９５８０－２０１２", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"GB/T19580.2012", "GB/T 19580-2012", NA, R, 2012, "19580", NULL},
    {"  GB/T 19580-2004\t", "GB/T 19580-2004", NA, R, 2004, "19580", NULL}, /* replaced */
    {"GB/T 19580", "GB/T 19580", NA, R, 0, "19580", NULL},                  /* year-less */
    {"gb t 19580", "GB/T 19580", NA, R, 0, "19580", NULL},
    {"GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016/ISO 9001:2015", NA, R, 2016, "19001",
     "dual=ISO 9001:2015"},
    {"GB/T 19001—2016 idt ISO 9001:2015", "GB/T 19001-2016/ISO 9001:2015", NA, R, 2016, "19001",
     "dual=ISO 9001:2015"},
    {"GB/T 19001-2016 (ISO 9001:2015, IDT)", "GB/T 19001-2016/ISO 9001:2015", NA, R, 2016, "19001",
     "dual=ISO 9001:2015"},
    {"gb/t 19000—2016/iso 9000：2015", "GB/T 19000-2016/ISO 9000:2015", NA, R, 2016, "19000",
     "dual=ISO 9000:2015"},
    {"GB/T 24001-2016 / ISO 14001:2015", "GB/T 24001-2016/ISO 14001:2015", NA, R, 2016, "24001",
     "dual=ISO 14001:2015"},
    {"GB/T45001-2020/ISO45001:2018", "GB/T 45001-2020/ISO 45001:2018", NA, R, 2020, "45001",
     "dual=ISO 45001:2018"},
    {"GB/T 27025—2019/ISO/IEC 17025:2017", "GB/T 27025-2019/ISO/IEC 17025:2017", NA, R, 2019,
     "27025", "dual=ISO/IEC 17025:2017"},
    {"GB/T 27065-2015/ISO/IEC 17065:2012", "GB/T 27065-2015/ISO/IEC 17065:2012", NA, R, 2015,
     "27065", "dual=ISO/IEC 17065:2012"},
    {"GB/T 27020-2016/ISO/IEC 17020:2012", "GB/T 27020-2016/ISO/IEC 17020:2012", NA, R, 2016,
     "27020", "dual=ISO/IEC 17020:2012"},
    {"GB/T 27021.1-2017/ISO/IEC 17021-1:2015", "GB/T 27021.1-2017/ISO/IEC 17021-1:2015", NA, R,
     2017, "27021.1", "dual=ISO/IEC 17021-1:2015"},
    {"GB/T 19011-2021/ISO 19011:2018", "GB/T 19011-2021/ISO 19011:2018", NA, R, 2021, "19011",
     "dual=ISO 19011:2018"},
    {"GB/T 22080-2016/ISO/IEC 27001:2013", "GB/T 22080-2016/ISO/IEC 27001:2013", NA, R, 2016,
     "22080", "dual=ISO/IEC 27001:2013"},
    {"GB/T 19022-2003/ISO 10012:2003", "GB/T 19022-2003/ISO 10012:2003", NA, R, 2003, "19022",
     "dual=ISO 10012:2003"},
    {"GB/T 23331-2020/ISO 50001:2018", "GB/T 23331-2020/ISO 50001:2018", NA, R, 2020, "23331",
     "dual=ISO 50001:2018"},
    {"GB/T 1.1-2020", "GB/T 1.1-2020", NA, R, 2020, "1.1", NULL},
    {"GB/T1.2-2020", "GB/T 1.2-2020", NA, R, 2020, "1.2", NULL},
    {"GB/T 20000.1—2014", "GB/T 20000.1-2014", NA, R, 2014, "20000.1", NULL},
    {"GB/T 20000.2-2009", "GB/T 20000.2-2009", NA, R, 2009, "20000.2", NULL},
    {"GB/T 20001.10-2014", "GB/T 20001.10-2014", NA, R, 2014, "20001.10", NULL},
    {"GB/T 17980.43-2000", "GB/T 17980.43-2000", NA, R, 2000, "17980.43", NULL},
    {"GB/T 2828.1–2012", "GB/T 2828.1-2012", NA, R, 2012, "2828.1", NULL},
    {"GB/T 2829-2002", "GB/T 2829-2002", NA, R, 2002, "2829", NULL},
    {"GB/T 27418-2017", "GB/T 27418-2017", NA, R, 2017, "27418", NULL},
    {"GB/T 8170－2008", "GB/T 8170-2008", NA, R, 2008, "8170", NULL},
    {"GB/T 6379.2-2004", "GB/T 6379.2-2004", NA, R, 2004, "6379.2", NULL},
    {"GB/T 3358.1-2009", "GB/T 3358.1-2009", NA, R, 2009, "3358.1", NULL},
    {"GB/T 13016-2018", "GB/T 13016-2018", NA, R, 2018, "13016", NULL},
    {"gb/t 15496-2017", "GB/T 15496-2017", NA, R, 2017, "15496", NULL},
    {"GB/T 15497 -2017", "GB/T 15497-2017", NA, R, 2017, "15497", NULL},
    {"GB/T 15498- 2017", "GB/T 15498-2017", NA, R, 2017, "15498", NULL},
    {"GB/T 35778——2017", "GB/T 35778-2017", NA, R, 2017, "35778", NULL},
    {"GB/T 24421.1-2009", "GB/T 24421.1-2009", NA, R, 2009, "24421.1", NULL},
    {"GB/T 29490-2013", "GB/T 29490-2013", NA, R, 2013, "29490", NULL},
    {"GB/T 22239-2019", "GB/T 22239-2019", NA, R, 2019, "22239", NULL},
    {"GB/T 35273-2020", "GB/T 35273-2020", NA, R, 2020, "35273", NULL},
    {"GB/T 28001-2011", "GB/T 28001-2011", NA, R, 2011, "28001", NULL},
    {"GB/T 2260-2007", "GB/T 2260-2007", NA, R, 2007, "2260", NULL},
    {"GB/T 4754―2017", "GB/T 4754-2017", NA, R, 2017, "4754", NULL},
    {"GB/T 7714-2015", "GB/T 7714-2015", NA, R, 2015, "7714", NULL},
    {"GB/T 15834-2011", "GB/T 15834-2011", NA, R, 2011, "15834", NULL},
    {"GB/T 15835-2011", "GB/T 15835-2011", NA, R, 2011, "15835", NULL},
    {"GB/T 7408-2005", "GB/T 7408-2005", NA, R, 2005, "7408", NULL},
    {"GB/T 2659-2000", "GB/T 2659-2000", NA, R, 2000, "2659", NULL},
    {"GB/T 191-2008", "GB/T 191-2008", NA, R, 2008, "191", NULL},
    {"GB/T 10001.1-2012", "GB/T 10001.1-2012", NA, R, 2012, "10001.1", NULL},
    {"GB/T 16886.1-2022", "GB/T 16886.1-2022", NA, R, 2022, "16886.1", NULL},
    {"GB/T 9254.1-2021", "GB/T 9254.1-2021", NA, R, 2021, "9254.1", NULL},
    {"GB/T 7588.1-2020", "GB/T 7588.1-2020", NA, R, 2020, "7588.1", NULL},
    {"GB/T 33000-2016", "GB/T 33000-2016", NA, R, 2016, "33000", NULL},
    {"GB/T 50378-2019", "GB/T 50378-2019", NA, R, 2019, "50378", NULL}, /* 绿色建筑评价标准 */
    {"GB/T 50001-2017", "GB/T 50001-2017", NA, R, 2017, "50001", NULL},
    {"GB/T-2312-1980", "GB/T 2312-1980", NA, R, 1980, "2312", NULL},
    {"GB 2312-80", "GB 2312-1980", NA, M, 1980, "2312", NULL},
    /* --- national: GB (mandatory) --- */
    {"GB 2760-2014", "GB 2760-2014", NA, M, 2014, "2760", NULL}, /* 食品添加剂使用标准 */
    {"gb2760-2014", "GB 2760-2014", NA, M, 2014, "2760", NULL},
    {"GB 2761-2017", "GB 2761-2017", NA, M, 2017, "2761", NULL},
    {"GB 2761—2011", "GB 2761-2011", NA, M, 2011, "2761", NULL},
    {"GB 2762-2017", "GB 2762-2017", NA, M, 2017, "2762", NULL},
    {"GB2762-2022", "GB 2762-2022", NA, M, 2022, "2762", NULL},
    {"GB 2763-2021", "GB 2763-2021", NA, M, 2021, "2763", NULL},
    {"GB 2763-2021/XG1-2022", "GB 2763-2021/XG1-2022", NA, M, 2021, "2763", "am=XG1-2022"},
    {"GB 2763—2021 /XG1—2022", "GB 2763-2021/XG1-2022", NA, M, 2021, "2763", "am=XG1-2022"},
    {"gb 7258-2017 xg1-2019", "GB 7258-2017/XG1-2019", NA, M, 2017, "7258", "am=XG1-2019"},
    {"GB 5749-2022", "GB 5749-2022", NA, M, 2022, "5749", NULL}, /* 生活饮用水卫生标准 */
    {"GB 5749-85", "GB 5749-1985", NA, M, 1985, "5749", NULL},
    {"GB 5749", "GB 5749", NA, M, 0, "5749", NULL},
    {"GB 7718-2011", "GB 7718-2011", NA, M, 2011, "7718", NULL},
    {"“GB 28050-2011”", "GB 28050-2011", NA, M, 2011, "28050", NULL},
    {"GB 14881-2013", "GB 14881-2013", NA, M, 2013, "14881", NULL},
    {"GB 29921-2021", "GB 29921-2021", NA, M, 2021, "29921", NULL},
    {"GB 4789.2-2022", "GB 4789.2-2022", NA, M, 2022, "4789.2", NULL},
    {"GB 4789.3－2016", "GB 4789.3-2016", NA, M, 2016, "4789.3", NULL},
    {"GB 5009.3-2016", "GB 5009.3-2016", NA, M, 2016, "5009.3", NULL},
    {"GB 5009.5-2016", "GB 5009.5-2016", NA, M, 2016, "5009.5", NULL},
    {"GB 5009.12-2017", "GB 5009.12-2017", NA, M, 2017, "5009.12", NULL},
    {"GB 19298-2014", "GB 19298-2014", NA, M, 2014, "19298", NULL},
    {"GB 10765-2021", "GB 10765-2021", NA, M, 2021, "10765", NULL},
    {"GB 13432-2013", "GB 13432-2013", NA, M, 2013, "13432", NULL},
    {"GB 19644-2010", "GB 19644-2010", NA, M, 2010, "19644", NULL},
    {"GB 25190-2010", "GB 25190-2010", NA, M, 2010, "25190", NULL},
    {"GB 2716-2018", "GB 2716-2018", NA, M, 2018, "2716", NULL},
    {"GB 31650-2019", "GB 31650-2019", NA, M, 2019, "31650", NULL},
    {"GB 31650.1-2022", "GB 31650.1-2022", NA, M, 2022, "31650.1", NULL},
    {"GB 4806.1-2016", "GB 4806.1-2016", NA, M, 2016, "4806.1", NULL},
    {"GB 9685-2016", "GB 9685-2016", NA, M, 2016, "9685", NULL},
    {"GB 31604.8-2021", "GB 31604.8-2021", NA, M, 2021, "31604.8", NULL},
    {"GB 3095-2012", "GB 3095-2012", NA, M, 2012, "3095", NULL}, /* 环境空气质量标准 */
    {"GB 3838-2002", "GB 3838-2002", NA, M, 2002, "3838", NULL},
    {"GB 3096-2008", "GB 3096-2008", NA, M, 2008, "3096", NULL},
    {"GB 8978-1996", "GB 8978-1996", NA, M, 1996, "8978", NULL},
    {"GB 16297-1996", "GB 16297-1996", NA, M, 1996, "16297", NULL},
    {"GB 12348-2008", "GB 12348-2008", NA, M, 2008, "12348", NULL},
    {"GB 13223-2011", "GB 13223-2011", NA, M, 2011, "13223", NULL},
    {"GB 15618-2018", "GB 15618-2018", NA, M, 2018, "15618", NULL},
    {"GB 36600-2018", "GB 36600-2018", NA, M, 2018, "36600", NULL},
    {"GB 18597-2023", "GB 18597-2023", NA, M, 2023, "18597", NULL},
    {"GB 7258-2017", "GB 7258-2017", NA, M, 2017, "7258", NULL},
    {"GB 1589-2016", "GB 1589-2016", NA, M, 2016, "1589", NULL},
    {"GB 11643-1999", "GB 11643-1999", NA, M, 1999, "11643", NULL},
    {"GB 32100-2015", "GB 32100-2015", NA, M, 2015, "32100", NULL}, /* 统一社会信用代码 */
    {"GB 18030-2022", "GB 18030-2022", NA, M, 2022, "18030", NULL},
    {"GB 3100-93", "GB 3100-1993", NA, M, 1993, "3100", NULL},
    {"GB 3102.1-93", "GB 3102.1-1993", NA, M, 1993, "3102.1", NULL},
    {"GB 4943.1-2022", "GB 4943.1-2022", NA, M, 2022, "4943.1", NULL},
    {"GB 17625.1-2022", "GB 17625.1-2022", NA, M, 2022, "17625.1", NULL},
    {"GB 6675.1-2014", "GB 6675.1-2014", NA, M, 2014, "6675.1", NULL},
    {"GB 18401-2010", "GB 18401-2010", NA, M, 2010, "18401", NULL},
    {"GB 31701-2015", "GB 31701-2015", NA, M, 2015, "31701", NULL},
    {"GB 4824-2019", "GB 4824-2019", NA, M, 2019, "4824", NULL},
    {"GB 7000.1-2015", "GB 7000.1-2015", NA, M, 2015, "7000.1", NULL},
    {"GB 5296.1-2012", "GB 5296.1-2012", NA, M, 2012, "5296.1", NULL},
    {"GB 9706.1-2020", "GB 9706.1-2020", NA, M, 2020, "9706.1", NULL},
    {"GB 12352-2018", "GB 12352-2018", NA, M, 2018, "12352", NULL},
    {"GB 2894-2008", "GB 2894-2008", NA, M, 2008, "2894", NULL},
    {"GB 2893-2008", "GB 2893-2008", NA, M, 2008, "2893", NULL},
    {"GB 13495.1-2015", "GB 13495.1-2015", NA, M, 2015, "13495.1", NULL},
    {"GB 8624-2012", "GB 8624-2012", NA, M, 2012, "8624", NULL},
    {"GB 25506-2010", "GB 25506-2010", NA, M, 2010, "25506", NULL},
    /* --- national engineering (GB 50xxx, 55xxx) --- */
    {"GB 50016-2014(2018年版)", "GB 50016-2014(2018年版)", NA, M, 2014, "50016", "ed=2018年版"},
    {"GB 50016—2014（2018 年版）", "GB 50016-2014(2018年版)", NA, M, 2014, "50016", "ed=2018年版"},
    {"GB 50016-2014", "GB 50016-2014", NA, M, 2014, "50016", NULL},
    {"GB 50011-2010 (2016年版)", "GB 50011-2010(2016年版)", NA, M, 2010, "50011", "ed=2016年版"},
    {"GB 50010-2010【2015年版】", "GB 50010-2010(2015年版)", NA, M, 2010, "50010", "ed=2015年版"},
    {"GB 50009-2012", "GB 50009-2012", NA, M, 2012, "50009", NULL},
    {"GB 50300-2013", "GB 50300-2013", NA, M, 2013, "50300", NULL},
    {"GB 50204-2015", "GB 50204-2015", NA, M, 2015, "50204", NULL},
    {"GB 50057-2010", "GB 50057-2010", NA, M, 2010, "50057", NULL},
    {"GB 50140-2005", "GB 50140-2005", NA, M, 2005, "50140", NULL},
    {"GB 50084-2017", "GB 50084-2017", NA, M, 2017, "50084", NULL},
    {"GB 50116-2013", "GB 50116-2013", NA, M, 2013, "50116", NULL},
    {"GB 51251-2017", "GB 51251-2017", NA, M, 2017, "51251", NULL},
    {"GB 55001-2021", "GB 55001-2021", NA, M, 2021, "55001", NULL},
    {"GB 55031-2022", "GB 55031-2022", NA, M, 2022, "55031", NULL},
    {"GB 55036-2022", "GB 55036-2022", NA, M, 2022, "55036", NULL},
    {"GB 55037-2022", "GB 55037-2022", NA, M, 2022, "55037", NULL},
    {"GBJ 16-87", "GBJ 16-1987", NA, M, 1987, "16", NULL}, /* 建筑设计防火规范 (old) */
    {"TJ 36-79", "TJ 36-1979", NA, M, 1979, "36", NULL}, /* 工业企业设计卫生标准 (old) */
    /* --- GB/Z, GBZ (occupational health: a different code) --- */
    {"GB/Z 20986-2007", "GB/Z 20986-2007", NA, G, 2007, "20986", NULL},
    {"GB Z 20986-2007", "GB/Z 20986-2007", NA, G, 2007, "20986", NULL},
    {"GBZ 2.1-2019", "GBZ 2.1-2019", NA, M, 2019, "2.1", NULL},
    {"gbz2.1—2019", "GBZ 2.1-2019", NA, M, 2019, "2.1", NULL},
    {"GBZ 2.2-2007", "GBZ 2.2-2007", NA, M, 2007, "2.2", NULL},
    {"GBZ 1-2010", "GBZ 1-2010", NA, M, 2010, "1", NULL},
    {"GBZ 188-2014", "GBZ 188-2014", NA, M, 2014, "188", NULL},
    {"GBZ 158-2003", "GBZ 158-2003", NA, M, 2003, "158", NULL},
    {"GBZ/T 229.1-2010", "GBZ/T 229.1-2010", NA, R, 2010, "229.1", NULL},
    {"GBZT 229.1-2010", "GBZ/T 229.1-2010", NA, R, 2010, "229.1", NULL},
    /* --- metrology --- */
    {"JJF 1059.1-2012", "JJF 1059.1-2012", ME, X, 2012, "1059.1", NULL},
    {"jjf1059.1—2012", "JJF 1059.1-2012", ME, X, 2012, "1059.1", NULL},
    {"JJF 1001-2011", "JJF 1001-2011", ME, X, 2011, "1001", NULL},
    {"JJF 1033-2016", "JJF 1033-2016", ME, X, 2016, "1033", NULL},
    {"JJF 1069-2012", "JJF 1069-2012", ME, X, 2012, "1069", NULL},
    {"JJF 1071-2010", "JJF 1071-2010", ME, X, 2010, "1071", NULL},
    {"JJF 1094-2002", "JJF 1094-2002", ME, X, 2002, "1094", NULL},
    {"JJG 1036-2008", "JJG 1036-2008", ME, X, 2008, "1036", NULL}, /* 电子天平 */
    {"JJG 52-2013", "JJG 52-2013", ME, X, 2013, "52", NULL},
    {"JJG 196-2006", "JJG 196-2006", ME, X, 2006, "196", NULL},
    {"JJG 162-2019", "JJG 162-2019", ME, X, 2019, "162", NULL},
    {"JJG 693－2011", "JJG 693-2011", ME, X, 2011, "693", NULL},
    {"JJG 539-2016", "JJG 539-2016", ME, X, 2016, "539", NULL},
    {"JJG 555-1996", "JJG 555-1996", ME, X, 1996, "555", NULL},
    {"JJG 596-2012", "JJG 596-2012", ME, X, 2012, "596", NULL},
    {"JJG 4-2015", "JJG 4-2015", ME, X, 2015, "4", NULL},
    /* --- special equipment safety technical specifications --- */
    {"TSG 21-2016", "TSG 21-2016", SS, M, 2016, "21", NULL},
    {"TSG 11-2020", "TSG 11-2020", SS, M, 2020, "11", NULL},
    {"TSG 08-2017", "TSG 08-2017", SS, M, 2017, "08", NULL},
    {"TSG 81-2022", "TSG 81-2022", SS, M, 2022, "81", NULL},
    {"TSG Z6001-2019", "TSG Z6001-2019", SS, M, 2019, "Z6001", NULL},
    {"tsg t7001—2009", "TSG T7001-2009", SS, M, 2009, "T7001", NULL},
    {"TSG D0001-2009", "TSG D0001-2009", SS, M, 2009, "D0001", NULL},
    {"TSG R0004-2009", "TSG R0004-2009", SS, M, 2009, "R0004", NULL},
    /* --- industry --- */
    {"YY/T 0287-2017/ISO 13485:2016", "YY/T 0287-2017/ISO 13485:2016", IN, R, 2017, "0287",
     "dual=ISO 13485:2016"},
    {"YY/T0287—2017", "YY/T 0287-2017", IN, R, 2017, "0287", NULL},
    {"YY/T 0316-2016/ISO 14971:2007", "YY/T 0316-2016/ISO 14971:2007", IN, R, 2016, "0316",
     "dual=ISO 14971:2007"},
    {"YY 0505-2012", "YY 0505-2012", IN, M, 2012, "0505", NULL},
    {"YY 0469-2011", "YY 0469-2011", IN, M, 2011, "0469", NULL}, /* 医用外科口罩 */
    {"yyt 0969-2013", "YY/T 0969-2013", IN, R, 2013, "0969", NULL},
    {"HJ 2.2-2018", "HJ 2.2-2018", IN, M, 2018, "2.2", NULL},
    {"HJ 2.1-2016", "HJ 2.1-2016", IN, M, 2016, "2.1", NULL},
    {"HJ 819-2017", "HJ 819-2017", IN, M, 2017, "819", NULL},
    {"HJ 942-2018", "HJ 942-2018", IN, M, 2018, "942", NULL},
    {"HJ 168-2020", "HJ 168-2020", IN, M, 2020, "168", NULL},
    {"HJ 1237-2021", "HJ 1237-2021", IN, M, 2021, "1237", NULL},
    {"HJ/T 91-2002", "HJ/T 91-2002", IN, R, 2002, "91", NULL},
    {"NB/T 10147-2019", "NB/T 10147-2019", IN, R, 2019, "10147", NULL},
    {"NB/T 47013.1-2015", "NB/T 47013.1-2015", IN, R, 2015, "47013.1", NULL},
    {"NB/SH/T 0882-2014", "NB/SH/T 0882-2014", IN, R, 2014, "0882", NULL},
    {"nb/sht 0882-2014", "NB/SH/T 0882-2014", IN, R, 2014, "0882", NULL},
    {"SH/T 0604-2000", "SH/T 0604-2000", IN, R, 2000, "0604", NULL},
    {"SH/T 3503-2017", "SH/T 3503-2017", IN, R, 2017, "3503", NULL},
    {"DL/T 5210.1-2012", "DL/T 5210.1-2012", IN, R, 2012, "5210.1", NULL},
    {"DL/T 596-1996", "DL/T 596-1996", IN, R, 1996, "596", NULL},
    {"DL 5009.1-2014", "DL 5009.1-2014", IN, M, 2014, "5009.1", NULL},
    {"QB/T 1333-2018", "QB/T 1333-2018", IN, R, 2018, "1333", NULL},
    {"QBT 1333-2018", "QB/T 1333-2018", IN, R, 2018, "1333", NULL},
    {"FZ/T 73020-2019", "FZ/T 73020-2019", IN, R, 2019, "73020", NULL},
    {"FZ/T 81007-2012", "FZ/T 81007-2012", IN, R, 2012, "81007", NULL},
    {"SN/T 1961.1-2007", "SN/T 1961.1-2007", IN, R, 2007, "1961.1", NULL},
    {"QC/T 29106-2014", "QC/T 29106-2014", IN, R, 2014, "29106", NULL},
    {"JB/T 4730.1-2005", "JB/T 4730.1-2005", IN, R, 2005, "4730.1", NULL},
    {"SY/T 6276-2010", "SY/T 6276-2010", IN, R, 2010, "6276", NULL},
    {"HG/T 20592-2009", "HG/T 20592-2009", IN, R, 2009, "20592", NULL},
    {"NY/T 391-2013", "NY/T 391-2013", IN, R, 2013, "391", NULL},
    {"WS/T 367-2012", "WS/T 367-2012", IN, R, 2012, "367", NULL},
    {"WS 310.1-2016", "WS 310.1-2016", IN, M, 2016, "310.1", NULL},
    {"WS/T 313-2019", "WS/T 313-2019", IN, R, 2019, "313", NULL},
    {"GA 38-2021", "GA 38-2021", IN, M, 2021, "38", NULL},
    {"GA/T 1400.1-2017", "GA/T 1400.1-2017", IN, R, 2017, "1400.1", NULL},
    {"AQ 3013-2008", "AQ 3013-2008", IN, M, 2008, "3013", NULL},
    {"AQ/T 9006-2010", "AQ/T 9006-2010", IN, R, 2010, "9006", NULL},
    {"XF 95-2015", "XF 95-2015", IN, M, 2015, "95", NULL},
    {"SL 176-2007", "SL 176-2007", IN, M, 2007, "176", NULL},
    {"TB 10001-2016", "TB 10001-2016", IN, M, 2016, "10001", NULL},
    {"SJ/T 11363-2006", "SJ/T 11363-2006", IN, R, 2006, "11363", NULL},
    {"RB/T 214-2017", "RB/T 214-2017", IN, R, 2017, "214", NULL},
    {"CJ 343-2010", "CJ 343-2010", IN, M, 2010, "343", NULL},
    {"DB/T 15-2009", "DB/T 15-2009", IN, R, 2009, "15", NULL}, /* earthquake, not local */
    {"db/t15-2009", "DB/T 15-2009", IN, R, 2009, "15", NULL},
    /* --- industry engineering --- */
    {"JGJ 3-2010", "JGJ 3-2010", IN, M, 2010, "3", NULL},
    {"JGJ46-2005", "JGJ 46-2005", IN, M, 2005, "46", NULL},
    {"JGJ 59-2011", "JGJ 59-2011", IN, M, 2011, "59", NULL},
    {"JGJ 130-2011", "JGJ 130-2011", IN, M, 2011, "130", NULL},
    {"JGJ 80-2016", "JGJ 80-2016", IN, M, 2016, "80", NULL},
    {"JGJ/T 23-2011", "JGJ/T 23-2011", IN, R, 2011, "23", NULL},
    {"JGJT 23-2011", "JGJ/T 23-2011", IN, R, 2011, "23", NULL},
    {"CJJ 1-2008", "CJJ 1-2008", IN, M, 2008, "1", NULL},
    {"CJJ 2-2008", "CJJ 2-2008", IN, M, 2008, "2", NULL},
    {"CJJ 37-2012(2016年版)", "CJJ 37-2012(2016年版)", IN, M, 2012, "37", "ed=2016年版"},
    {"CJJ/T 135-2009", "CJJ/T 135-2009", IN, R, 2009, "135", NULL},
    {"JTG D60-2015", "JTG D60-2015", IN, M, 2015, "D60", NULL},
    {"JTG B01-2014", "JTG B01-2014", IN, M, 2014, "B01", NULL},
    {"JTG F80/1-2017", "JTG F80/1-2017", IN, M, 2017, "F80/1", NULL},
    {"JTG/T F50-2011", "JTG/T F50-2011", IN, R, 2011, "F50", NULL},
    {"JTG 3362-2018", "JTG 3362-2018", IN, M, 2018, "3362", NULL},
    {"jtg/t 3650—2020", "JTG/T 3650-2020", IN, R, 2020, "3650", NULL},
    {"JTG E20-2011", "JTG E20-2011", IN, M, 2011, "E20", NULL},
    {"JTJ 041-2000", "JTJ 041-2000", IN, M, 2000, "041", NULL},
    {"CECS 28:2012", "CECS 28:2012", GR, X, 2012, "28", NULL},
    {"CECS 102-2002", "CECS 102:2002", GR, X, 2002, "102", NULL},
    /* --- local --- */
    {"DB11/T 1322-2016", "DB11/T 1322-2016", LO, R, 2016, "1322", NULL},
    {"db11/t1322—2016", "DB11/T 1322-2016", LO, R, 2016, "1322", NULL},
    {"DB 11/T 1322-2016", "DB11/T 1322-2016", LO, R, 2016, "1322", NULL},
    {"DB11T 1322-2016", "DB11/T 1322-2016", LO, R, 2016, "1322", NULL},
    {"DB31/T 1063-2017", "DB31/T 1063-2017", LO, R, 2017, "1063", NULL},
    {"ＤＢ３１／Ｔ　１０６３－２０１７", "DB31/T 1063-2017", LO, R, 2017, "1063", NULL},
    {"DB11/ 501-2017", "DB11/ 501-2017", LO, M, 2017, "501", NULL}, /* 北京 大气污染物综合排放 */
    {"DB11/501-2017", "DB11/ 501-2017", LO, M, 2017, "501", NULL},
    {"DB31 199-2018", "DB31/ 199-2018", LO, M, 2018, "199", NULL},
    {"DB44/ 26-2001", "DB44/ 26-2001", LO, M, 2001, "26", NULL},
    {"DB44/27—2001", "DB44/ 27-2001", LO, M, 2001, "27", NULL},
    {"DB32/ 4041-2021", "DB32/ 4041-2021", LO, M, 2021, "4041", NULL},
    {"DB3301/T 0101-2016", "DB3301/T 0101-2016", LO, R, 2016, "0101", NULL},
    {"DBS44/ 006-2016", "DBS44/ 006-2016", LO, M, 2016, "006", NULL},
    /* --- group, enterprise --- */
    {"T/CECS 10001-2019", "T/CECS 10001-2019", GR, X, 2019, "10001", NULL},
    {"t/cecs10001-2019", "T/CECS 10001-2019", GR, X, 2019, "10001", NULL},
    {"T/CSAE 53-2017", "T/CSAE 53-2017", GR, X, 2017, "53", NULL},
    {"T / ZZB 0001—2017", "T/ZZB 0001-2017", GR, X, 2017, "0001", NULL}, /* 浙江制造 */
    {"T/CCSA 201-2017", "T/CCSA 201-2017", GR, X, 2017, "201", NULL},
    {"Q/GDW 1168-2013", "Q/GDW 1168-2013", EN, X, 2013, "1168", NULL}, /* State Grid */
    {"q/gdw1168—2013", "Q/GDW 1168-2013", EN, X, 2013, "1168", NULL},
    {"Q/SY 1362-2011", "Q/SY 1362-2011", EN, X, 2011, "1362", NULL},
    {"Q/CR 9004-2018", "Q/CR 9004-2018", EN, X, 2018, "9004", NULL}, /* China Railway */
    {"Q/320582 ABC 001-2015", "Q/320582 ABC 001-2015", EN, X, 2015, "001", NULL},
    {"Q/BBAH 0001S-2014", "Q/BBAH 0001S-2014", EN, X, 2014, "0001S", NULL},
};

static const char *extra_value(const char *extra, const char *key)
{
    size_t n = strlen(key);
    return extra && !strncmp(extra, key, n) && extra[n] == '=' ? extra + n + 1 : "";
}

static void check_row(const row *r, size_t i)
{
    std_number n;
    nqi_error err;
    nqi_error_clear(&err);
    int rc = std_number_parse(r->in, strlen(r->in), &n, &err);
    if (rc) {
        print_error("row %zu '%s': %s\n", i, r->in, err.message);
        fail();
    }
    if (strcmp(n.canonical, r->canonical) || (int)n.tier != r->tier || (int)n.nature != r->nature ||
        n.year != r->year || strcmp(n.number, r->number) ||
        strcmp(n.amendment, extra_value(r->extra, "am")) ||
        strcmp(n.dual, extra_value(r->extra, "dual")) ||
        strcmp(n.edition_note, extra_value(r->extra, "ed"))) {
        print_error("row %zu '%s': got '%s' tier %d nature %d year %d number '%s' am '%s' "
                    "dual '%s' ed '%s'\n",
                    i, r->in, n.canonical, n.tier, n.nature, n.year, n.number, n.amendment, n.dual,
                    n.edition_note);
        fail();
    }
    /* key = canonical up to the year; canonical re-parses to itself, exactly */
    assert_int_equal(strncmp(n.canonical, n.key, strlen(n.key)), 0);
    assert_true(n.known_code);
    assert_non_null(n.code_name);
    std_number again;
    assert_int_equal(std_number_parse(n.canonical, strlen(n.canonical), &again, &err), 0);
    assert_string_equal(again.canonical, n.canonical);
    assert_true(again.exact);
    if (n.exact != (strstr(r->in, r->canonical) != NULL)) {
        print_error("row %zu '%s': exact %d\n", i, r->in, n.exact);
        fail();
    }
}

static void test_real_numbers(void **state)
{
    (void)state;
    size_t count = sizeof rows / sizeof rows[0];
    assert_true(count >= 150);
    for (size_t i = 0; i < count; i++)
        check_row(&rows[i], i);
}

static std_number parse_ok(const char *in, unsigned flags)
{
    std_number n;
    nqi_error err;
    nqi_error_clear(&err);
    int rc = std_number_parse_ex(in, strlen(in), flags, &n, &err);
    if (rc)
        print_error("'%s': %s\n", in, err.message);
    assert_int_equal(rc, 0);
    return n;
}

static void test_parts(void **state)
{
    (void)state;
    std_number n = parse_ok("NB/SH/T 0604-2000", 0);
    assert_string_equal(n.prefix, "NB/SH/T");
    assert_string_equal(n.code, "NB/SH");
    assert_string_equal(n.key, "NB/SH/T 0604");
    assert_string_equal(n.family, "NB/SH 0604");

    n = parse_ok("DB3301/T 0101-2016", 0);
    assert_string_equal(n.region, "3301");
    assert_string_equal(n.code, "DB3301");
    assert_string_equal(n.prefix, "DB3301/T");
    assert_string_equal(n.code_name, "浙江");

    n = parse_ok("DB11/ 501-2017", 0);
    assert_string_equal(n.region, "11");
    assert_string_equal(n.code_name, "北京");
    assert_string_equal(n.family, "DB11 501");

    n = parse_ok("DB/T 15-2009", 0);
    assert_string_equal(n.region, "");
    assert_string_equal(n.code, "DB");
    assert_string_equal(n.code_name, "地震");

    n = parse_ok("GBZ 2.1-2019", 0);
    assert_string_equal(n.code, "GBZ");
    assert_string_equal(n.code_name, "国家职业卫生标准");

    n = parse_ok("GB/T 19580", 0);
    assert_int_equal(n.year, 0); /* the catalogue resolves the current edition */
    assert_string_equal(n.key, "GB/T 19580");
    assert_string_equal(n.family, "GB 19580");

    n = parse_ok("T/CSAE 53-2017", 0);
    assert_string_equal(n.code, "CSAE");
    assert_string_equal(n.prefix, "T/CSAE");
    assert_string_equal(n.code_name, "团体标准");

    n = parse_ok("Q/320582 ABC 001-2015", 0);
    assert_string_equal(n.code, "320582 ABC");

    n = parse_ok("GB 2763-2021/XG1-2022", 0);
    assert_int_equal(n.amendment_no, 1);
    assert_int_equal(n.amendment_year, 2022);
    assert_string_equal(n.key, "GB 2763");

    n = parse_ok("GB 2763-2021/XG2", 0);
    assert_string_equal(n.amendment, "XG2");
    assert_int_equal(n.amendment_year, 0);

    n = parse_ok("GB 50016-2014(2018年版)", 0);
    assert_int_equal(n.edition_year, 2018);
    assert_true(n.engineering);
    assert_string_equal(n.key, "GB 50016");

    assert_false(parse_ok("GB 5749-2022", 0).engineering);
    assert_true(parse_ok("GB/T 50378-2019", 0).engineering);
    assert_true(parse_ok("JGJ 3-2010", 0).engineering);
    assert_true(parse_ok("CECS 28:2012", 0).engineering);
    assert_false(parse_ok("QB/T 1333-2018", 0).engineering);

    n = parse_ok("GB 4706.1-2005/IEC 60335-1:2004+A1:2006", 0);
    assert_string_equal(n.dual, "IEC 60335-1:2004+A1:2006");
    n = parse_ok("GB/T 27418-2017/ISO/IEC Guide 98-3:2008", 0);
    assert_string_equal(n.dual, "ISO/IEC Guide 98-3:2008");
    n = parse_ok("gb/t 1-2000/iso/ts 16949:2009", 0);
    assert_string_equal(n.dual, "ISO/TS 16949:2009");
}

static void test_span_and_trailing(void **state)
{
    (void)state;
    const char *in = "  《GB/T 19580-2012》。 ";
    std_number n = parse_ok(in, 0);
    assert_string_equal(n.canonical, "GB/T 19580-2012");
    assert_int_equal(n.span_off, strlen("  《"));
    assert_int_equal(n.span_len, strlen("GB/T 19580-2012"));
    assert_true(n.exact);
    assert_int_equal(n.rest, strlen(in));

    /* not NUL-terminated: only len bytes are read */
    char buf[] = {'G', 'B', ' ', '1', '-', '2', '0', '0', '0', '9', '9'};
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(std_number_parse(buf, 9, &n, &err), 0);
    assert_string_equal(n.canonical, "GB 1-2000");

    assert_int_equal(std_number_parse(NULL, 0, &n, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "number");
}

/* Validity-confirmation lists: "number title" lines. */
static void test_prefix_mode(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canonical, *rest;
    } cases[] = {
        {"GB/T 19580-2012 卓越绩效评价准则", "GB/T 19580-2012", "卓越绩效评价准则"},
        {"GB/T 19580-2012卓越绩效评价准则", "GB/T 19580-2012", "卓越绩效评价准则"},
        {"《GB/T 19580-2012》 卓越绩效评价准则", "GB/T 19580-2012", "卓越绩效评价准则"},
        {"GB 2760—2014\t食品安全国家标准 食品添加剂使用标准", "GB 2760-2014",
         "食品安全国家标准 食品添加剂使用标准"},
        {"GB/T 19001-2016/ISO 9001:2015 质量管理体系 要求", "GB/T 19001-2016/ISO 9001:2015",
         "质量管理体系 要求"},
        {"GB/T 19001-2016 ISO 9001 质量管理体系", "GB/T 19001-2016", "ISO 9001 质量管理体系"},
        {"GB 50016-2014(2018年版) 建筑设计防火规范", "GB 50016-2014(2018年版)", "建筑设计防火规范"},
        {"GB 50016-2014 (建筑设计防火规范)", "GB 50016-2014", "(建筑设计防火规范)"},
        {"JJG 1036-2008 电子天平检定规程", "JJG 1036-2008", "电子天平检定规程"},
        {"GB/T 19580 卓越绩效评价准则", "GB/T 19580", "卓越绩效评价准则"},
        {"GB/T 19001-2016 / 质量管理体系", "GB/T 19001-2016", "/ 质量管理体系"},
        {"DB11/T 1322-2016", "DB11/T 1322-2016", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        std_number n = parse_ok(cases[i].in, STD_PARSE_PREFIX);
        assert_string_equal(n.canonical, cases[i].canonical);
        assert_string_equal(cases[i].in + n.rest, cases[i].rest);
    }
}

static void test_lenient(void **state)
{
    (void)state;
    std_number n = parse_ok("XYZ/T 12-2010", STD_PARSE_LENIENT);
    assert_string_equal(n.canonical, "XYZ/T 12-2010");
    assert_false(n.known_code);
    assert_int_equal(n.tier, STD_TIER_INDUSTRY);
    assert_int_equal(n.nature, STD_NATURE_RECOMMENDED);
    n = parse_ok("GB/T 19580-2012", STD_PARSE_LENIENT);
    assert_true(n.known_code);

    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(std_number_parse("XYZ/T 12-2010", 13, &n, &err), NQI_EINVAL);
    assert_non_null(strstr(err.message, "unknown standard code 'XYZ'"));
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *fragment;
    } cases[] = {
        {"", "empty standard number"},
        {"  \t ", "empty standard number"},
        {"“”", "empty standard number"},
        {"hello world", "nothing that looks like a standard number in 'hello world'"},
        {"备注：无", "nothing that looks like a standard number"},
        {"19580-2012", "missing standard code (such as GB/T) before '19580-2012'"},
        {"XYZ 12-2010", "unknown standard code 'XYZ'"},
        {"AB/T 1-2010", "unknown standard code 'AB'"},
        {"NB/XX/T 1-2010", "unknown standard code 'NB/XX'"},
        {"GB/T", "missing standard number after 'GB/T'"},
        {"GB/T ABC", "missing standard number after 'GB/T'"},
        {"DB11/T", "missing standard number after 'DB11/T'"},
        {"GB/T 19580-201", "year '201' must have 2 or 4 digits"},
        {"GB/T 19580-20121", "year '20121' must have 2 or 4 digits"},
        {"GB/T 19580-2", "year '2' must have 2 or 4 digits"},
        {"GB/T 19580-1850", "year '1850' is out of range (1950-2099)"},
        {"GB/T 19580-05", "year '05' would mean 1905"},
        {"GB/T 19580-", "missing year after 'GB/T 19580-'"},
        {"GB/T 19580—", "missing year after 'GB/T 19580-'"},
        {"DB1/T 1-2010", "local standard code 'DB1' needs a 2-digit province or 4-digit city"},
        {"DB123/T 1-2010", "'DB123' needs a 2-digit province"},
        {"DB99/T 1-2010", "unknown province code '99' in 'DB99'"},
        {"DBS/T 1-2010", "'DBS' needs a 2-digit province"},
        {"T/ 123-2019", "missing organisation code after 'T/'"},
        {"Q/", "missing organisation code after 'Q/'"},
        {"GB/X 123-2010", "unknown suffix '/X' after 'GB' (expected /T or /Z)"},
        {"JJF/T 1059.1-2012", "'JJF' takes no /T or /Z suffix"},
        {"GB/T 19580-2012 abc", "unexpected 'abc' after 'GB/T 19580-2012'"},
        {"GB/T 19580-2012 MOD ISO 9004:2009", "unexpected 'MOD ISO 9004:2009' after"},
        {"GB/T 19580-2012/ABC", "after '/' expected an amendment (XG1-2022) or an international"},
        {"GB/T 19001-2016/ISO", "missing number in dual number 'ISO '"},
        {"GB/T 19001-2016/ISO 9001:15", "year in dual number 'ISO 9001' must have 4 digits"},
        {"GB 2763-2021/XG", "amendment 'XG' needs a number"},
        {"GB 2763-2021/XG0-2022", "amendment number must not be 0"},
        {"GB 2763-2021/XG1-22x", "amendment year '22' would mean 1922"},
        {"GB 2763-2021/XG1-", "missing year after amendment 'XG1-'"},
        {"GB 123456789012345678-2010", "standard number '123456789012345...' is too long"},
        {"GB 50016-2014(2018 edition)", "unexpected '(2018 edition)' after 'GB 50016-2014'"},
        {"GB/T 19580-2012\xff", "invalid UTF-8 at byte 15"},
        {"\xc3", "invalid UTF-8 at byte 0"},
        {"GB 2763-2021/XG1-2022/XG2-2023", "only one amendment (XG) per number"},
        {"Q/GDW 1168-2013-01", "unexpected '-01' after 'Q/GDW 1168-2013'"},
        {"GJB 9001C-2017", "unknown standard code 'GJB'"}, /* military: not supported */
        {"JJG(京) 39-2006", "missing standard number after 'JJG'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        std_number n;
        nqi_error err;
        nqi_error_clear(&err);
        int rc = std_number_parse(cases[i].in, strlen(cases[i].in), &n, &err);
        if (rc != NQI_EINVAL || !strstr(err.message, cases[i].fragment)) {
            print_error("'%s': rc %d, message '%s', wanted '%s'\n", cases[i].in, rc, err.message,
                        cases[i].fragment);
            fail();
        }
        assert_int_equal(err.nfields, 1);
        assert_string_equal(err.fields[0].field, "number");
        assert_string_equal(n.canonical, ""); /* nothing half-filled */
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(std_tier_name(STD_TIER_NATIONAL), "national");
    assert_string_equal(std_tier_name(STD_TIER_SAFETY_SPEC), "safety_spec");
    assert_string_equal(std_tier_name((std_tier)99), "unknown");
    assert_string_equal(std_nature_name(STD_NATURE_GUIDANCE), "guidance");
    assert_string_equal(std_nature_name(STD_NATURE_NONE), "none");
    assert_string_equal(std_code_name("QB"), "轻工");
    assert_string_equal(std_code_name("NB/SH"), "能源(石油化工)");
    assert_null(std_code_name("XYZ"));
    assert_null(std_code_name("DB11"));
    assert_null(std_code_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_numbers),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_span_and_trailing),
        cmocka_unit_test(test_prefix_mode),
        cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
