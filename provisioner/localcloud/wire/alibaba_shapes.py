"""The rest of each instance/cluster describe response, so that every field the official SDKs'
response models define (alibabacloud_rds20140815 16.x, alibabacloud_polardb20170801 9.x) is
present with a value of its declared type (tests/localcloud/test_response_shapes.py checks it).
Fields that matter to a client carry plausible values (instance class, storage, network, node
class, limits); features the local cloud does not model carry their "off" value ("", 0, False,
empty lists). Seed attrs override any of them per instance.
"""

from __future__ import annotations

from typing import Any

from ..services.rds import DEFAULT_STORAGE_TYPE


def _off(*names: str, value: Any = "") -> dict[str, Any]:
    return dict.fromkeys(names, value)


_RDS_COMMON = {
    "DBInstanceClass": "mysql.n2.medium.2c", "DBInstanceCPU": "2", "DBInstanceMemory": 4096,
    "DBInstanceStorageType": DEFAULT_STORAGE_TYPE, "VpcId": "vpc-local", "VSwitchId": "vsw-local",
    "ResourceGroupId": "rg-local", "ExpireTime": "", "DeletionProtection": False, "BurstingEnabled": False,
    "ColdDataEnabled": False, "IsAnalyticReadOnlyIns": False, "TipsLevel": 0,
    **_off("BlueGreenDeploymentName", "BlueInstanceName", "BpeEnabled", "DedicatedHostGroupId", "GeneralGroupName",
           "GreenInstanceName", "GuardDBInstanceId", "IoAccelerationEnabled", "MasterInstanceId", "TempDBInstanceId",
           "Tips", "VpcCloudInstanceId"),
}

RDS_ATTRIBUTE = {
    **_RDS_COMMON,
    "DBInstanceClassType": "x", "DBInstanceStorage": 100, "DBInstanceDiskUsed": "2147483648",
    "MaxConnections": 4000, "MaxIOPS": 10000, "MaxIOMBPS": 350, "MasterZone": "", "TimeZone": "",
    "MaintainTime": "18:00Z-22:00Z", "SecurityIPList": "127.0.0.1", "SecurityIPMode": "normal", "IPType": "IPv4",
    "SuperPermissionMode": "", "InstructionSetArch": "x86", "ConsoleVersion": "", "AutoUpgradeMinorVersion": "Auto",
    "CurrentKernelVersion": "", "LatestKernelVersion": "", "ProxyType": 0, "ReadOnlyStatus": "OFF",
    "CanTempUpgrade": False, "ComputeBurstEnabled": False, "IsAnalyticIns": False, "MultipleTempUpgrade": False,
    "SupportCompression": False,
    **_off("AdvancedFeatures", "AvailabilityValue", "Collation", "CompressionMode", "CompressionRatio",
           "DisasterRecoveryInfo", "DisasterRecoveryInstances", "IncrementSourceDBInstanceId", "NodePerformance",
           "OptimizedWritesInfo", "PGBouncerEnabled", "ReadonlyInstanceSQLDelayedTime", "TempUpgradeTimeEnd",
           "TempUpgradeTimeStart", "VectorSupportStatus", "kindCode"),
    "BabelfishConfig": {"BabelfishEnabled": "false", "MigrationMode": ""},
    "DBClusterNodes": {"DBClusterNode": []}, "SlaveZones": {"SlaveZone": []},
    "DrReplicaInfo": {"InsName": "", "Region": "", "UnitCode": ""},
    "WarmStandbyInfo": {"InsName": "", "Region": "", "UnitCode": ""},
    "Extra": {"AccountSecurityPolicy": "", "DBInstanceIds": {"DBInstanceId": []}, "RecoveryModel": ""},
    "ServerlessConfig": {"AutoPause": False, "ScaleMax": 0.0, "ScaleMin": 0.0, "SwitchForce": False},
}

RDS_LISTED = {
    **_RDS_COMMON,
    "AutoRenewal": False, "IsAnalyticIns": "false", "SwitchWeight": 100, "VpcName": "vpc-local", "DestroyTime": "",
    **_off("DedicatedHostGroupName", "DedicatedHostIdForLog", "DedicatedHostIdForMaster", "DedicatedHostIdForSlave",
           "DedicatedHostNameForLog", "DedicatedHostNameForMaster", "DedicatedHostNameForSlave",
           "DedicatedHostZoneIdForLog", "DedicatedHostZoneIdForMaster", "DedicatedHostZoneIdForSlave"),
}
RDS_LIST_TOP = {"NextToken": ""}

_POLARDB_COMMON = {
    "ResourceGroupId": "rg-local", "ExpireTime": "", "StoragePayType": "Postpaid", "StorageSpace": 0,
    "StorageUsed": 3145728, "SearchStorageUsed": 0, "ConnectionResourceQuota": 0, "ConnectionResourceUsed": 0,
    "ServerlessType": "", "StrictConsistency": "ON", "SubCategory": "normal_exclusive", "HotStandbyCluster": "OFF",
    "AiType": "",
}

POLARDB_ATTRIBUTE = {
    **_POLARDB_COMMON,
    "VPCId": "vpc-local", "VSwitchId": "vsw-local", "Architecture": "X86", "MaintainTime": "18:00Z-19:00Z",
    "StorageMax": 107374182400000, "StorageUpperBound": 0, "StorageAutoScale": "Disable", "DBVersionStatus": "Normal",
    "IsLatestVersion": True, "IsProxyLatestVersion": True, "ProxyType": "Exclusive", "ProxyStatus": "Running",
    "ProxyCpuCores": "2", "ProxyStandardCpuCores": "2", "DataSyncMode": "AsyncSync", "StandbyHAMode": "OFF",
    "ImperceptibleSwitch": "OFF", "HasCompleteStandbyRes": False, "BlktagTotal": 0, "BlktagUsed": 0,
    "InodeTotal": 0, "InodeUsed": 0, "SQLSize": 0, "CompressStorageUsed": 0, "SearchCompressStorageUsed": 0,
    "DataLevel1BackupChainSize": 0, "Tags": [],
    "Branch": {"BranchLsn": "", "BranchTime": "", "ChildBranch": [], "ParentInsName": ""},
    **_off("AiCreatingTime", "AutoUpgradeMinorVersion", "BurstingEnabled", "ColumnTable", "CompressStorageMode",
           "ImciAutoIndex", "Orca", "ProvisionedIops", "ProxyServerlessType", "RestoreDataPoint", "RestoreType",
           "RowCompression", "SearchClusterStatus", "SourceDBCluster", "SourceRegionId", "SupportInstantSwitchWithImci"),
}

POLARDB_NODE = {
    "CpuCores": "2", "MemorySize": "8192", "MaxConnections": 8000, "MaxIOPS": 32000, "FailoverPriority": 1,
    "CreationTime": "2024-01-01T00:00:00Z", "ServerWeight": "1", "HotReplicaMode": "OFF", "ImciSwitch": "OFF",
    "SccMode": "OFF", "DedicatedHostModel": False, "RemoteMemoryMax": 0, "RemoteMemoryMin": 0,
    "RemoteMemoryRecommended": 0,
    **_off("AddedCpuCores", "DBNodeCXLRemoteMemory", "DBNodeDescription", "MasterId", "MirrorInsName",
           "MultiMasterLocalStandby", "MultiMasterPrimaryNode", "Orca", "RemoteMemorySize", "ServerlessType",
           "SubCluster", "SubGroupDescription"),
}

POLARDB_LISTED = {
    **_POLARDB_COMMON,
    "DBNodeClass": "polar.mysql.x4.medium", "CpuCores": "2", "MemorySize": "8192", "RemoteMemorySize": "0",
    "VpcId": "vpc-local", "VswitchId": "vsw-local",
}
POLARDB_LISTED_NODE = {"HotReplicaMode": "OFF", "ImciSwitch": "OFF", "Serverless": ""}

POLARDB_ENDPOINT = {
    "DBEndpointDescription": "Cluster Address", "NetType": "Private", "Protocol": "MySQL", "VPCId": "vpc-local",
    "NodeWithRoles": "", "EndpointConfig": "{}", "SccMode": "off", "PolarSccTimeoutAction": "", "PolarSccWaitTimeout": "",
    "ServiceName": "", "ConnectionString": "", "Port": "",
}
POLARDB_ADDRESS = {"DashboardUsed": False, "PrivateZoneConnectionString": "", "VpcInstanceId": "vpc-local"}

# DescribeDatabases: database attributes the local cloud does not model (PostgreSQL collation,
# connection limit, ...), at their "not set" value.
RDS_DATABASE = {"Collate": "", "Ctype": "", "ConnLimit": "-1", "Tablespace": "", "DuckDBEnabled": False,
                "AdvancedInfo": {"AdvancedDbProperty": []}, "BasicInfo": {"BasicDbProperty": []},
                "RuntimeInfo": {"RuntimeDbProperty": []}}
