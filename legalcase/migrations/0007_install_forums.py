"""Install a starting set of courts and arbitration commissions.

The data is written out here, not imported, so that this migration installs the same
rows whatever later edits do to the code. Names are the official ones, as rulings are
headed (courts below the high courts carry their province). An address is filled
only where it was checked; a blank one is marked on filings for the lawyer to
complete, which beats a wrong one. A row whose name already exists (an
administrator's) is left alone; reversing removes only rows still as installed here
and not used by any matter.
"""

from django.db import migrations

COURT, ARBITRATION = "court", "arbitration"
SUPREME, HIGH, INTERMEDIATE, BASIC, SPECIAL = "supreme", "high", "intermediate", "basic", "special"

# (kind, name, level, region, address)
FORUMS = (
    (COURT, "最高人民法院", SUPREME, "北京市", "北京市东城区东交民巷27号"),
    # 高级人民法院: the 31 provinces, autonomous regions and municipalities.
    (COURT, "北京市高级人民法院", HIGH, "北京市", ""),
    (COURT, "天津市高级人民法院", HIGH, "天津市", ""),
    (COURT, "河北省高级人民法院", HIGH, "河北省", ""),
    (COURT, "山西省高级人民法院", HIGH, "山西省", ""),
    (COURT, "内蒙古自治区高级人民法院", HIGH, "内蒙古自治区", ""),
    (COURT, "辽宁省高级人民法院", HIGH, "辽宁省", ""),
    (COURT, "吉林省高级人民法院", HIGH, "吉林省", ""),
    (COURT, "黑龙江省高级人民法院", HIGH, "黑龙江省", ""),
    (COURT, "上海市高级人民法院", HIGH, "上海市", "上海市徐汇区肇嘉浜路308号"),
    (COURT, "江苏省高级人民法院", HIGH, "江苏省", ""),
    (COURT, "浙江省高级人民法院", HIGH, "浙江省", ""),
    (COURT, "安徽省高级人民法院", HIGH, "安徽省", ""),
    (COURT, "福建省高级人民法院", HIGH, "福建省", ""),
    (COURT, "江西省高级人民法院", HIGH, "江西省", ""),
    (COURT, "山东省高级人民法院", HIGH, "山东省", ""),
    (COURT, "河南省高级人民法院", HIGH, "河南省", ""),
    (COURT, "湖北省高级人民法院", HIGH, "湖北省", ""),
    (COURT, "湖南省高级人民法院", HIGH, "湖南省", ""),
    (COURT, "广东省高级人民法院", HIGH, "广东省", ""),
    (COURT, "广西壮族自治区高级人民法院", HIGH, "广西壮族自治区", ""),
    (COURT, "海南省高级人民法院", HIGH, "海南省", ""),
    (COURT, "重庆市高级人民法院", HIGH, "重庆市", ""),
    (COURT, "四川省高级人民法院", HIGH, "四川省", ""),
    (COURT, "贵州省高级人民法院", HIGH, "贵州省", ""),
    (COURT, "云南省高级人民法院", HIGH, "云南省", ""),
    (COURT, "西藏自治区高级人民法院", HIGH, "西藏自治区", ""),
    (COURT, "陕西省高级人民法院", HIGH, "陕西省", ""),
    (COURT, "甘肃省高级人民法院", HIGH, "甘肃省", ""),
    (COURT, "青海省高级人民法院", HIGH, "青海省", ""),
    (COURT, "宁夏回族自治区高级人民法院", HIGH, "宁夏回族自治区", ""),
    (COURT, "新疆维吾尔自治区高级人民法院", HIGH, "新疆维吾尔自治区", ""),
    (COURT, "新疆维吾尔自治区高级人民法院生产建设兵团分院", HIGH, "新疆维吾尔自治区", ""),
    # 中级人民法院: the municipalities' numbered courts.
    (COURT, "北京市第一中级人民法院", INTERMEDIATE, "北京市", ""),
    (COURT, "北京市第二中级人民法院", INTERMEDIATE, "北京市", ""),
    (COURT, "北京市第三中级人民法院", INTERMEDIATE, "北京市", ""),
    (COURT, "北京市第四中级人民法院", INTERMEDIATE, "北京市", ""),
    (COURT, "天津市第一中级人民法院", INTERMEDIATE, "天津市", ""),
    (COURT, "天津市第二中级人民法院", INTERMEDIATE, "天津市", ""),
    (COURT, "天津市第三中级人民法院", INTERMEDIATE, "天津市", ""),
    (COURT, "上海市第一中级人民法院", INTERMEDIATE, "上海市", "上海市长宁区虹桥路1200号"),
    (COURT, "上海市第二中级人民法院", INTERMEDIATE, "上海市", ""),
    (COURT, "上海市第三中级人民法院", INTERMEDIATE, "上海市", ""),
    (COURT, "重庆市第一中级人民法院", INTERMEDIATE, "重庆市", ""),
    (COURT, "重庆市第二中级人民法院", INTERMEDIATE, "重庆市", ""),
    (COURT, "重庆市第三中级人民法院", INTERMEDIATE, "重庆市", ""),
    (COURT, "重庆市第四中级人民法院", INTERMEDIATE, "重庆市", ""),
    (COURT, "重庆市第五中级人民法院", INTERMEDIATE, "重庆市", ""),
    # 中级人民法院: the provincial capitals, then cities where banks often sue.
    (COURT, "河北省石家庄市中级人民法院", INTERMEDIATE, "河北省石家庄市", ""),
    (COURT, "山西省太原市中级人民法院", INTERMEDIATE, "山西省太原市", ""),
    (COURT, "内蒙古自治区呼和浩特市中级人民法院", INTERMEDIATE, "内蒙古自治区呼和浩特市", ""),
    (COURT, "辽宁省沈阳市中级人民法院", INTERMEDIATE, "辽宁省沈阳市", ""),
    (COURT, "吉林省长春市中级人民法院", INTERMEDIATE, "吉林省长春市", ""),
    (COURT, "黑龙江省哈尔滨市中级人民法院", INTERMEDIATE, "黑龙江省哈尔滨市", ""),
    (COURT, "江苏省南京市中级人民法院", INTERMEDIATE, "江苏省南京市", ""),
    (COURT, "浙江省杭州市中级人民法院", INTERMEDIATE, "浙江省杭州市", ""),
    (COURT, "安徽省合肥市中级人民法院", INTERMEDIATE, "安徽省合肥市", ""),
    (COURT, "福建省福州市中级人民法院", INTERMEDIATE, "福建省福州市", ""),
    (COURT, "江西省南昌市中级人民法院", INTERMEDIATE, "江西省南昌市", ""),
    (COURT, "山东省济南市中级人民法院", INTERMEDIATE, "山东省济南市", ""),
    (COURT, "河南省郑州市中级人民法院", INTERMEDIATE, "河南省郑州市", ""),
    (COURT, "湖北省武汉市中级人民法院", INTERMEDIATE, "湖北省武汉市", ""),
    (COURT, "湖南省长沙市中级人民法院", INTERMEDIATE, "湖南省长沙市", ""),
    (COURT, "广东省广州市中级人民法院", INTERMEDIATE, "广东省广州市", ""),
    (COURT, "广西壮族自治区南宁市中级人民法院", INTERMEDIATE, "广西壮族自治区南宁市", ""),
    (COURT, "海南省海口市中级人民法院", INTERMEDIATE, "海南省海口市", ""),
    (COURT, "四川省成都市中级人民法院", INTERMEDIATE, "四川省成都市", ""),
    (COURT, "贵州省贵阳市中级人民法院", INTERMEDIATE, "贵州省贵阳市", ""),
    (COURT, "云南省昆明市中级人民法院", INTERMEDIATE, "云南省昆明市", ""),
    (COURT, "西藏自治区拉萨市中级人民法院", INTERMEDIATE, "西藏自治区拉萨市", ""),
    (COURT, "陕西省西安市中级人民法院", INTERMEDIATE, "陕西省西安市", ""),
    (COURT, "甘肃省兰州市中级人民法院", INTERMEDIATE, "甘肃省兰州市", ""),
    (COURT, "青海省西宁市中级人民法院", INTERMEDIATE, "青海省西宁市", ""),
    (COURT, "宁夏回族自治区银川市中级人民法院", INTERMEDIATE, "宁夏回族自治区银川市", ""),
    (COURT, "新疆维吾尔自治区乌鲁木齐市中级人民法院", INTERMEDIATE, "新疆维吾尔自治区乌鲁木齐市", ""),
    (COURT, "广东省深圳市中级人民法院", INTERMEDIATE, "广东省深圳市", ""),
    (COURT, "江苏省苏州市中级人民法院", INTERMEDIATE, "江苏省苏州市", ""),
    (COURT, "浙江省宁波市中级人民法院", INTERMEDIATE, "浙江省宁波市", ""),
    (COURT, "山东省青岛市中级人民法院", INTERMEDIATE, "山东省青岛市", ""),
    (COURT, "辽宁省大连市中级人民法院", INTERMEDIATE, "辽宁省大连市", ""),
    (COURT, "福建省厦门市中级人民法院", INTERMEDIATE, "福建省厦门市", ""),
    # 金融法院: specialised courts for financial cases.
    (COURT, "上海金融法院", SPECIAL, "上海市", ""),
    (COURT, "北京金融法院", SPECIAL, "北京市", ""),
    (COURT, "成渝金融法院", SPECIAL, "重庆市", ""),
    # 基层人民法院 where card centres and head offices usually sue, and the internet courts.
    (COURT, "上海市浦东新区人民法院", BASIC, "上海市浦东新区", ""),
    (COURT, "上海市黄浦区人民法院", BASIC, "上海市黄浦区", ""),
    (COURT, "上海市静安区人民法院", BASIC, "上海市静安区", ""),
    (COURT, "上海市徐汇区人民法院", BASIC, "上海市徐汇区", ""),
    (COURT, "上海市长宁区人民法院", BASIC, "上海市长宁区", ""),
    (COURT, "上海市闵行区人民法院", BASIC, "上海市闵行区", ""),
    (COURT, "北京市西城区人民法院", BASIC, "北京市西城区", ""),
    (COURT, "北京市东城区人民法院", BASIC, "北京市东城区", ""),
    (COURT, "北京市朝阳区人民法院", BASIC, "北京市朝阳区", ""),
    (COURT, "北京市海淀区人民法院", BASIC, "北京市海淀区", ""),
    (COURT, "北京市丰台区人民法院", BASIC, "北京市丰台区", ""),
    (COURT, "天津市和平区人民法院", BASIC, "天津市和平区", ""),
    (COURT, "重庆市渝中区人民法院", BASIC, "重庆市渝中区", ""),
    (COURT, "重庆市江北区人民法院", BASIC, "重庆市江北区", ""),
    (COURT, "广东省深圳市福田区人民法院", BASIC, "广东省深圳市福田区", ""),
    (COURT, "广东省深圳市南山区人民法院", BASIC, "广东省深圳市南山区", ""),
    (COURT, "广东省深圳市罗湖区人民法院", BASIC, "广东省深圳市罗湖区", ""),
    (COURT, "广东省广州市天河区人民法院", BASIC, "广东省广州市天河区", ""),
    (COURT, "广东省广州市越秀区人民法院", BASIC, "广东省广州市越秀区", ""),
    (COURT, "浙江省杭州市西湖区人民法院", BASIC, "浙江省杭州市西湖区", ""),
    (COURT, "浙江省杭州市上城区人民法院", BASIC, "浙江省杭州市上城区", ""),
    (COURT, "浙江省杭州市滨江区人民法院", BASIC, "浙江省杭州市滨江区", ""),
    (COURT, "江苏省南京市玄武区人民法院", BASIC, "江苏省南京市玄武区", ""),
    (COURT, "江苏省南京市鼓楼区人民法院", BASIC, "江苏省南京市鼓楼区", ""),
    (COURT, "江苏省南京市建邺区人民法院", BASIC, "江苏省南京市建邺区", ""),
    (COURT, "江苏省苏州市姑苏区人民法院", BASIC, "江苏省苏州市姑苏区", ""),
    (COURT, "四川省成都市锦江区人民法院", BASIC, "四川省成都市锦江区", ""),
    (COURT, "四川省成都市武侯区人民法院", BASIC, "四川省成都市武侯区", ""),
    (COURT, "湖北省武汉市江岸区人民法院", BASIC, "湖北省武汉市江岸区", ""),
    (COURT, "湖北省武汉市武昌区人民法院", BASIC, "湖北省武汉市武昌区", ""),
    (COURT, "福建省福州市鼓楼区人民法院", BASIC, "福建省福州市鼓楼区", ""),
    (COURT, "福建省厦门市思明区人民法院", BASIC, "福建省厦门市思明区", ""),
    (COURT, "山东省济南市历下区人民法院", BASIC, "山东省济南市历下区", ""),
    (COURT, "山东省青岛市市南区人民法院", BASIC, "山东省青岛市市南区", ""),
    (COURT, "河南省郑州市金水区人民法院", BASIC, "河南省郑州市金水区", ""),
    (COURT, "湖南省长沙市岳麓区人民法院", BASIC, "湖南省长沙市岳麓区", ""),
    (COURT, "陕西省西安市雁塔区人民法院", BASIC, "陕西省西安市雁塔区", ""),
    (COURT, "辽宁省沈阳市和平区人民法院", BASIC, "辽宁省沈阳市和平区", ""),
    (COURT, "安徽省合肥市蜀山区人民法院", BASIC, "安徽省合肥市蜀山区", ""),
    (COURT, "北京互联网法院", BASIC, "北京市", ""),
    (COURT, "杭州互联网法院", BASIC, "浙江省杭州市", ""),
    (COURT, "广州互联网法院", BASIC, "广东省广州市", ""),
    # 仲裁委员会.
    (ARBITRATION, "中国国际经济贸易仲裁委员会", "", "北京市", ""),
    (ARBITRATION, "北京仲裁委员会", "", "北京市", ""),
    (ARBITRATION, "上海仲裁委员会", "", "上海市", ""),
    (ARBITRATION, "上海国际经济贸易仲裁委员会（上海国际仲裁中心）", "", "上海市", ""),
    (ARBITRATION, "深圳国际仲裁院", "", "广东省深圳市", ""),
    (ARBITRATION, "广州仲裁委员会", "", "广东省广州市", ""),
    (ARBITRATION, "天津仲裁委员会", "", "天津市", ""),
    (ARBITRATION, "重庆仲裁委员会", "", "重庆市", ""),
    (ARBITRATION, "武汉仲裁委员会", "", "湖北省武汉市", ""),
    (ARBITRATION, "杭州仲裁委员会", "", "浙江省杭州市", ""),
    (ARBITRATION, "南京仲裁委员会", "", "江苏省南京市", ""),
    (ARBITRATION, "成都仲裁委员会", "", "四川省成都市", ""),
    (ARBITRATION, "西安仲裁委员会", "", "陕西省西安市", ""),
    (ARBITRATION, "长沙仲裁委员会", "", "湖南省长沙市", ""),
    (ARBITRATION, "郑州仲裁委员会", "", "河南省郑州市", ""),
    (ARBITRATION, "济南仲裁委员会", "", "山东省济南市", ""),
    (ARBITRATION, "青岛仲裁委员会", "", "山东省青岛市", ""),
    (ARBITRATION, "厦门仲裁委员会", "", "福建省厦门市", ""),
    (ARBITRATION, "福州仲裁委员会", "", "福建省福州市", ""),
    (ARBITRATION, "合肥仲裁委员会", "", "安徽省合肥市", ""),
    (ARBITRATION, "沈阳仲裁委员会", "", "辽宁省沈阳市", ""),
    (ARBITRATION, "苏州仲裁委员会", "", "江苏省苏州市", ""),
    (ARBITRATION, "宁波仲裁委员会", "", "浙江省宁波市", ""),
)


def install_forums(apps, schema_editor):
    Forum = apps.get_model("legalcase", "Forum")
    for kind, name, level, region, address in FORUMS:
        Forum.objects.get_or_create(
            name=name, defaults={"kind": kind, "level": level, "region": region, "address": address}
        )


def remove_forums(apps, schema_editor):
    Forum = apps.get_model("legalcase", "Forum")
    for kind, name, level, region, address in FORUMS:
        Forum.objects.filter(
            name=name, kind=kind, level=level, region=region, address=address, matters__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("legalcase", "0006_forums_and_loan_terms")]

    operations = [migrations.RunPython(install_forums, remove_forums)]
